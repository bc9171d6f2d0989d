package checkpoint

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailures: a reopened journal passes, in file order, the last entry of each unit still
// failed, with its data, and nothing of units done since or never failed.
func TestFailures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.ckpt")
	j := mustOpen(t, path, testHeader(), Options{})
	for _, e := range []Entry{
		{Key: 1, State: Sent},
		{Key: 1, State: Failed, Data: []byte(`{"n":"a"}`)},
		{Key: 2, State: Failed, Data: []byte(`{"n":"b"}`)},
		{Key: 3, State: Failed, Data: []byte(`{"n":"c1"}`)},
		{Key: 2, State: Done},
		{Key: 4, State: Done, Data: []byte(`{"n":"d"}`)},
		{Key: 3, State: Failed, Data: []byte(`{"n":"c2","long":"` + strings.Repeat("x", 10000) + `"}`)},
		{Key: 5, State: Failed},
	} {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, j)

	j = mustOpen(t, path, testHeader(), Options{})
	defer mustClose(t, j)
	var got []string
	if err := j.Failures(func(e Entry) error {
		got = append(got, fmt.Sprintf("%d:%.10s", e.Key, e.Data))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := `1:{"n":"a"}, 3:{"n":"c2",, 5:`
	if strings.Join(got, ", ") != want {
		t.Errorf("Failures passed %s, want %s", strings.Join(got, ", "), want)
	}
	// Appends after Open are this run's own: not the opened file's failures.
	if err := j.Append(Entry{Key: 6, State: Failed}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := j.Failures(func(Entry) error { n++; return nil }); err != nil || n != 3 {
		t.Errorf("after an append: %d failures, err %v; want the 3 of the opened file", n, err)
	}
}
