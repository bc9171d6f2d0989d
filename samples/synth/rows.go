package synth

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math/rand/v2"

	"github.com/chatmigrate/chatmigrate/sources"
)

// Salts that give each kind, and each use within a kind, its own PCG stream, so that changing
// one count does not reshuffle another kind's file.
const (
	saltTopics uint64 = iota + 1
	saltFriends
	saltContacts
	saltAlloc  = 1 << 8
	saltOwner  = 1 << 9
	saltWindow = 1 << 10
)

// newRand returns the PCG stream of (seed, salt, i).
func newRand(seed int64, salt uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), salt<<40^uint64(i)))
}

// lineWriter writes one file's lines, CSV or JSONL, through one buffer.
type lineWriter struct {
	format sources.Format
	bw     *bufio.Writer
	cw     *csv.Writer
	enc    *json.Encoder
	rec    []string // reused CSV record
}

func newLineWriter(w io.Writer, f sources.Format, header []string) (*lineWriter, error) {
	lw := &lineWriter{format: f, bw: bufio.NewWriterSize(w, 256<<10)}
	if f == sources.JSONL {
		lw.enc = json.NewEncoder(lw.bw)
		lw.enc.SetEscapeHTML(false)
		return lw, nil
	}
	lw.cw = csv.NewWriter(lw.bw)
	return lw, lw.cw.Write(header)
}

// row writes the CSV record held in lw.rec.
func (lw *lineWriter) row() error { return lw.cw.Write(lw.rec) }

// object writes v as one JSONL line.
func (lw *lineWriter) object(v any) error { return lw.enc.Encode(v) }

func (lw *lineWriter) flush() error {
	if lw.cw != nil {
		lw.cw.Flush()
		if err := lw.cw.Error(); err != nil {
			return err
		}
	}
	return lw.bw.Flush()
}

// owner is one user's or one community's rows, generated from its layout as they are written.
type owner interface {
	// emit writes the owner's next line and reports whether any remain.
	emit(lw *lineWriter) (more bool, err error)
}

// drain writes the lines of owners 0..n-1 (open returns nil for an owner without rows):
// sorted, one owner after the other; else interleaved at random among a window of owners.
func drain(ctx context.Context, lw *lineWriter, n int, sorted bool, rng *rand.Rand, open func(i int) owner) error {
	lines := 0
	check := func() error {
		lines++
		if lines%4096 == 0 {
			return ctx.Err()
		}
		return nil
	}
	next := 0
	// refill returns the next owner with rows, or nil when none is left.
	refill := func() owner {
		for next < n {
			o := open(next)
			next++
			if o != nil {
				return o
			}
		}
		return nil
	}
	if sorted {
		for o := refill(); o != nil; o = refill() {
			for more := true; more; {
				var err error
				if more, err = o.emit(lw); err != nil {
					return err
				}
				if err := check(); err != nil {
					return err
				}
			}
		}
		return lw.flush()
	}
	active := make([]owner, 0, window)
	for len(active) < window {
		o := refill()
		if o == nil {
			break
		}
		active = append(active, o)
	}
	for len(active) > 0 {
		i := rng.IntN(len(active))
		more, err := active[i].emit(lw)
		if err != nil {
			return err
		}
		if !more {
			if o := refill(); o != nil {
				active[i] = o
			} else {
				last := len(active) - 1
				active[i] = active[last]
				active = active[:last]
			}
		}
		if err := check(); err != nil {
			return err
		}
	}
	return lw.flush()
}
