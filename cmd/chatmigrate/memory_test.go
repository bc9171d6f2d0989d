package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

func TestParseBytes(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"256MiB", 256 << 20, true},
		{"1GiB", 1 << 30, true},
		{"1.5G", 3 << 29, true},
		{"512", 512 << 20, true},
		{"65536K", 64 << 20, true},
		{" 300 MiB ", 300 << 20, true},
		{"16MiB", 0, false}, // below the least the runtime needs
		{"0", 0, false},
		{"-1GiB", 0, false},
		{"lots", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := parseBytes(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Fatalf("parseBytes(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
			}
		})
	}
}

// TestFirstSent: the first attempt's time is kept, whatever follows, and every attempt is
// passed on.
func TestFirstSent(t *testing.T) {
	var f *firstSent
	if !f.at().IsZero() {
		t.Fatal("a nil firstSent has a time")
	}
	var seen []pacer.Attempt
	f = &firstSent{next: observerFunc(func(a pacer.Attempt) { seen = append(seen, a) })}
	if !f.at().IsZero() {
		t.Fatal("a time before any attempt")
	}
	t0 := time.Unix(100, 0)
	f.Attempt(pacer.Attempt{Sent: t0})
	f.Attempt(pacer.Attempt{Sent: t0.Add(time.Second)})
	if !f.at().Equal(t0) || len(seen) != 2 {
		t.Fatalf("first %v, passed on %d", f.at(), len(seen))
	}
}

type observerFunc func(pacer.Attempt)

func (o observerFunc) Attempt(a pacer.Attempt) { o(a) }

// FuzzParseBytes: any --memory value is refused or read as a budget of at least minMemory,
// and a whole number of MiB reads back as itself.
func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"256MiB", "1GiB", "64", "0.5G", "31M", " 2 GiB ", "Inf", "NaN", "-1K", "1e30G", "", "MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		b, err := parseBytes(v)
		if err == nil && b < minMemory {
			t.Fatalf("parseBytes(%q) = %d, below the minimum", v, b)
		}
		if n, err := strconv.Atoi(v); err == nil && n >= minMemory>>20 && n < 1<<30 {
			if b, err := parseBytes(v + "MiB"); err != nil || b != int64(n)<<20 {
				t.Fatalf("parseBytes(%qMiB) = %d, %v", v, b, err)
			}
		}
	})
}
