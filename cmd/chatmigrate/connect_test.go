package main

import (
	"testing"
	"time"
)

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi time.Duration
		bad    bool
	}{
		{"5ms", 5 * time.Millisecond, 5 * time.Millisecond, false},
		{"20ms-50ms", 20 * time.Millisecond, 50 * time.Millisecond, false},
		{"50ms-20ms", 0, 0, true},
		{"fast", 0, 0, true},
		{"1s-x", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			lo, hi, err := parseLatency(tt.in)
			if (err != nil) != tt.bad || lo != tt.lo || hi != tt.hi {
				t.Fatalf("parseLatency(%q) = %v, %v, %v", tt.in, lo, hi, err)
			}
		})
	}
}

func FuzzParseLatency(f *testing.F) {
	for _, s := range []string{"5ms", "20ms-50ms", "-1s", "1s--2s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, err := parseLatency(s)
		if err == nil && (lo < 0 || hi < lo) {
			t.Fatalf("parseLatency(%q) accepted the range %v-%v", s, lo, hi)
		}
	})
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://adminapisgp.im.qcloud.com", "https://adminapisgp.im.qcloud.com"},
		{"http://127.0.0.1:8080/x?usersig=secret", "http://127.0.0.1:8080/x"},
		{"https://user:pass@host/p", "https://host/p"},
		{"http://host/a@b", "http://host/a@b"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
