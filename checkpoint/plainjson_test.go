package checkpoint

import (
	"encoding/json"
	"testing"
)

func TestPlainJSON(t *testing.T) {
	tests := []struct {
		in    string
		plain bool // recognised without encoding/json
	}{
		{`[]`, true},
		{`{}`, true},
		{`["g","topic name","g@TOPIC#_x","exports/topics.csv",12]`, true},
		{`{"n":5}`, true},
		{`{"a":"b","c":-3,"d":0}`, true},
		{"[\"\xff\xfe\"]", true}, // bytes that are not UTF-8: JSON as far as json.Valid goes
		{`[""]`, true},
		{`[-0]`, true},
		// Not of the simple form: decided by json.Valid (valid ones).
		{`["a\"b"]`, false},
		{`[1.5]`, false},
		{`[true]`, false},
		{`[[1]]`, false},
		{`{"t":{"g":"x"}}`, false},
		{`[ 1]`, false},
		{`"x"`, false},
		{`12`, false},
		// Not JSON at all.
		{``, false},
		{`[`, false},
		{`[1,]`, false},
		{`[,]`, false},
		{`[01]`, false},
		{`[-]`, false},
		{`["a]`, false},
		{`["a"`, false},
		{`{"a"}`, false},
		{`{"a":}`, false},
		{`{1:2}`, false},
		{`["a""b"]`, false},
		{`["tab	x"]`, false},
		{`[1}`, false},
		{`{"a":1]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			b := []byte(tc.in)
			if got := plainJSON(b); got != tc.plain {
				t.Errorf("plainJSON(%q) = %v, want %v", tc.in, got, tc.plain)
			}
			if got, want := validData(b), json.Valid(b); got != want {
				t.Errorf("validData(%q) = %v, json.Valid says %v", tc.in, got, want)
			}
		})
	}
}

// FuzzPlainJSON checks that plainJSON accepts nothing encoding/json rejects.
func FuzzPlainJSON(f *testing.F) {
	for _, s := range []string{`[]`, `{"n":5}`, `["a","b",12]`, `[01]`, `["a\"b"]`, `{"a":"b","c":-3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if plainJSON(b) && !json.Valid(b) {
			t.Fatalf("plainJSON accepted %q, which is not JSON", b)
		}
		if validData(b) != json.Valid(b) {
			t.Fatalf("validData(%q) != json.Valid", b)
		}
	})
}
