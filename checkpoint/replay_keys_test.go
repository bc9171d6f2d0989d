package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// replayed is what a replay learned: each intact entry's offset, key and state, where it ended
// and how it failed.
type replayed struct {
	entries []keyState
	end     int64
	err     string
}

func serialReplay(data []byte, start int64) replayed {
	var r replayed
	end, err := replay(bytes.NewReader(data), start, func(off int64, key uint64, st State, _, _ []byte) error {
		r.entries = append(r.entries, keyState{off, key, st})
		return nil
	})
	r.end = end
	if err != nil {
		r.err = err.Error()
	}
	return r
}

func parallelReplay(data []byte, start int64, block int) replayed {
	var r replayed
	end, err := replayKeys(bytes.NewReader(data), start, block, func(ks []keyState) {
		r.entries = append(r.entries, ks...)
	})
	r.end = end
	if err != nil {
		r.err = err.Error()
	}
	return r
}

// journalBody returns n entry lines, some with data, one of them longer than long bytes.
func journalBody(rng *rand.Rand, n, long int) []byte {
	var b []byte
	for i := range n {
		var data []byte
		switch {
		case i == n/2:
			data = fmt.Appendf(nil, `{"TopicId":"%s"}`, bytes.Repeat([]byte("x"), long))
		case rng.IntN(3) == 0:
			data = fmt.Appendf(nil, `{"N":%d}`, rng.IntN(1000))
		}
		b = appendEntry(b, rng.Uint64(), State(1+rng.IntN(3)), data)
	}
	return b
}

// TestReplayKeysAsReplay: Open's parallel replay learns what the serial one does, in the same
// order, ends where it ends and fails as it fails: on whole journals, torn tails cut at every
// kind of place, damage before intact entries, damage in the last entries only, and blocks
// smaller than a line.
func TestReplayKeysAsReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	body := journalBody(rng, 400, 5000)
	const start = 100 // as if a header came first
	cases := map[string][]byte{"whole": body, "empty": nil}
	for range 12 {
		cut := rng.IntN(len(body))
		cases[fmt.Sprintf("torn_at_%d", cut)] = body[:cut]
	}
	for _, at := range []int{0, len(body) / 3, len(body) / 2, len(body) - 3} {
		damaged := bytes.Clone(body)
		damaged[at] ^= 0x20
		cases[fmt.Sprintf("damaged_at_%d", at)] = damaged
	}
	last := bytes.LastIndexByte(body[:len(body)-1], '\n') + 1
	tail := bytes.Clone(body)
	tail[last+3] ^= 0x01
	cases["damaged_last_entry"] = tail
	cases["no_newline_at_end"] = body[:len(body)-1]
	cases["garbage_after"] = append(bytes.Clone(body), "garbage\nmore garbage"...)
	for name, data := range cases {
		want := serialReplay(data, start)
		for _, block := range []int{1, 64, 4096, 1 << 20} {
			t.Run(fmt.Sprintf("%s/block_%d", name, block), func(t *testing.T) {
				got := parallelReplay(data, start, block)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("parallel: %d entries, end %d, err %q\nserial:   %d entries, end %d, err %q",
						len(got.entries), got.end, got.err, len(want.entries), want.end, want.err)
				}
			})
		}
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReplayKeysReadError: a read error ends the replay with that error, after the entries
// before it.
func TestReplayKeysReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	body := journalBody(rand.New(rand.NewPCG(5, 6)), 50, 10)
	_, err := replayKeys(&failingReader{data: body, err: boom}, 0, 128, func([]keyState) {})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the read error", err)
	}
}

// FuzzReplayKeys: on any bytes, the parallel replay agrees with the serial one.
func FuzzReplayKeys(f *testing.F) {
	body := journalBody(rand.New(rand.NewPCG(7, 8)), 20, 100)
	f.Add(body, uint16(64))
	f.Add(body[:len(body)-5], uint16(1))
	f.Add([]byte("junk\n"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, block uint16) {
		want := serialReplay(data, 0)
		got := parallelReplay(data, 0, int(block)+1)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parallel %+v\nserial %+v", got, want)
		}
	})
}
