package migrate

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/lanrat/extsort"

	"github.com/chatmigrate/chatmigrate/sources"
)

// DefaultMemory is the memory budget planning keeps to when PlanOptions.Memory is 0.
const DefaultMemory = 256 << 20

// Friend and conversation groups must be grouped by user, and an input is rarely sorted that
// way, so that a plan held in memory grows with the input (about 110 bytes a row). An input
// estimated not to fit a quarter of the budget is instead spilled: every record goes, in a
// compact binary form that sorts by (user, file, line), through an external merge sort
// (github.com/lanrat/extsort) in the temporary directory; the sorted stream is then collected
// a batch of whole users at a time, with the same collectors and rules as in memory, and each
// batch is written to a second temporary file that every later pass reads back one batch at a
// time. Users keep the bytewise order of the in-memory plan, and each user's records reach
// the collector in input order, so that both ways give the same units in the same order and
// the same problems (only the order in which problems are reported differs: by user here).
//
// Every temporary file is unlinked as soon as it is created (extsort does the same for its
// own), so that it is gone with the process however it ends, Ctrl-C and kill -9 included.

// spillTuning sizes a spill. Zero fields are derived from the budget; tests set them to force
// a spill and to cut batches small.
type spillTuning struct {
	force      bool // spill whatever the input's size
	chunk      int  // records per extsort chunk
	batch      int  // memberships (or operations) a batch collects before it is written
	progressAt int  // records between progress calls
}

// spillSizing is what a budget allows.
type spillSizing struct {
	chunk, batch, progress int
}

// Bytes a record costs in memory, measured on generated input: a record in an extsort chunk
// (its string and header), and a membership or operation held by a collector with its share of
// the indexes and interned strings.
const (
	spillRecordBytes = 96
	collectedBytes   = 160
	// spillChunksHeld is how many chunks extsort may hold at once with one worker and no
	// queue: one filling, one sorting, two waiting for the writer, one being written.
	spillChunksHeld = 5
	// inMemoryFactor is how many bytes of memory a byte of plain input costs when the plan is
	// held in memory; gzipGrowth how many plain bytes a compressed one is guessed to hold.
	inMemoryFactor = 4
	gzipGrowth     = 8
)

// sizing splits the budget: a quarter for the sort's chunks, an eighth for a batch; the rest
// is the read-ahead, the topics' duplicate set, the garbage collector's headroom and the
// runtime.
func (t spillTuning) sizing(budget int64) spillSizing {
	s := spillSizing{chunk: t.chunk, batch: t.batch, progress: t.progressAt}
	if s.progress <= 0 {
		s.progress = 1 << 16
	}
	if s.chunk <= 0 {
		s.chunk = int(max(1024, budget/4/spillChunksHeld/spillRecordBytes))
	}
	if s.batch <= 0 {
		s.batch = int(max(1024, budget/8/collectedBytes))
	}
	return s
}

// shouldSpill reports whether the grouped input in files would not fit a quarter of budget
// held in memory.
func (t spillTuning) shouldSpill(budget int64, files []string) bool {
	if t.force {
		return true
	}
	var est int64
	for _, name := range files {
		st, err := os.Stat(name)
		if err != nil {
			continue // the read reports it
		}
		n := st.Size()
		if strings.HasSuffix(name, ".gz") {
			n *= gzipGrowth
		}
		est += n * inMemoryFactor
	}
	return est > budget/4
}

// Sort keys: the user's bytes with 0x00 escaped as 0x00 0xFF and ended by 0x00 0x01, so that
// keys compare as users do and no user's key is a prefix of another's; then the file's index
// (4 bytes) and the record's line (8 bytes), big-endian. (user, file, line) names one record,
// so no two keys are equal and the unstable sort is deterministic; the payload that follows
// never decides the order.
const (
	keyEscape = 0x00
	keyEnd    = 0x01
	keyLit0   = 0xFF
)

// appendSortKey appends the sort key of a record of user at file and line.
func appendSortKey(b []byte, user string, file int, line int) []byte {
	b = appendEscaped(b, user)
	b = binary.BigEndian.AppendUint32(b, uint32(file))
	return binary.BigEndian.AppendUint64(b, uint64(line))
}

// appendEscaped appends s with 0x00 escaped and the end marked, so that the results compare
// bytewise as the strings do and none is a prefix of another.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == keyEscape {
			b = append(b, keyEscape, keyLit0)
		} else {
			b = append(b, c)
		}
	}
	return append(b, keyEscape, keyEnd)
}

// errBadSpill is a spilled record that does not decode: the temporary file was damaged.
var errBadSpill = errors.New("spill: damaged record in a temporary file")

// splitSortKey returns a record's user (a substring of rec unless it held a 0x00), its user
// part as it sorts (to tell users apart cheaply), its file and line, and the payload after.
func splitSortKey(rec string) (user, userKey string, file, line int, rest string, err error) {
	end := -1
	escaped := false
	for i := 0; i+1 < len(rec); i++ {
		if rec[i] != keyEscape {
			continue
		}
		if rec[i+1] == keyEnd {
			end = i
			break
		}
		escaped = true
		i++
	}
	if end < 0 || len(rec) < end+2+12 {
		return "", "", 0, 0, "", errBadSpill
	}
	user = rec[:end]
	if escaped {
		user = strings.ReplaceAll(user, string([]byte{keyEscape, keyLit0}), "\x00")
	}
	userKey = rec[:end+2]
	p := rec[end+2:]
	var v uint64
	for i := range 12 {
		if i == 4 {
			file, v = int(v), 0
		}
		v = v<<8 | uint64(p[i])
	}
	return user, userKey, file, int(v), p[12:], nil
}

// appendStr appends s with its length.
func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// takeStr reads a string appendStr wrote from the front of *p, as a substring of it.
func takeStr(p *string) (string, error) {
	n, err := takeUvarint(p)
	if err != nil || n > uint64(len(*p)) {
		return "", errBadSpill
	}
	s := (*p)[:n]
	*p = (*p)[n:]
	return s, nil
}

// takeUvarint reads a uvarint from the front of *p.
func takeUvarint(p *string) (uint64, error) {
	var x uint64
	var shift uint
	for i := 0; i < len(*p) && i < binary.MaxVarintLen64; i++ {
		c := (*p)[i]
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			*p = (*p)[i+1:]
			return x, nil
		}
		shift += 7
	}
	return 0, errBadSpill
}

// sortSpill sorts the records send produces through an external sort in dir and calls each
// with them in key order. send is given a function that hands one record on; it must return
// when that function fails (ctx ended). Whatever fails, sortSpill returns only once the sort's
// goroutines have stopped, and its temporary file is then gone.
func sortSpill(ctx context.Context, dir string, chunk int, send func(put func(string) error) error,
	each func(rec string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan string, 256)
	cfg := &extsort.Config{ChunkSize: chunk, NumWorkers: 1, ChanBuffSize: 0, SortedChanBuffSize: 256, TempFilesDir: dir}
	sorter, out, errc := extsort.Strings(in, cfg)
	sorted := make(chan struct{})
	go func() {
		defer close(sorted)
		sorter.Sort(ctx)
	}()
	put := func(rec string) error {
		select {
		case in <- rec:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := send(put)
	close(in)
	if err != nil {
		cancel()
	}
	<-sorted
	for rec := range out {
		if err != nil {
			continue // drain, so that the merge stops
		}
		if err = each(rec); err != nil {
			cancel()
		}
	}
	if serr := <-errc; err == nil && serr != nil {
		err = fmt.Errorf("sort the grouped input on disk: %w", serr)
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// spillConfig is what BuildPlan passes to the collectors of the grouped kinds.
type spillConfig struct {
	budget int64
	// share is the part of budget one kind's spill sizes its chunks and batches to: all of
	// it, or half when the two grouped kinds are planned side by side (plan_groups.go).
	share    int64
	dir      string
	tuning   spillTuning
	progress func(PlanProgress)
}

func newSpillConfig(opt PlanOptions) spillConfig {
	c := spillConfig{budget: opt.Memory, dir: opt.TempDir, tuning: opt.spill, progress: opt.OnProgress}
	if c.budget <= 0 {
		c.budget = DefaultMemory
	}
	c.share = c.budget
	if c.dir == "" {
		c.dir = os.TempDir()
	}
	return c
}

// onCount returns the progress callback of a spill of kind k, or nil.
func (c spillConfig) onCount(k sources.Kind) func(int) {
	if c.progress == nil {
		return nil
	}
	return func(n int) { c.progress(PlanProgress{Kind: k, Records: n, Spilled: true}) }
}
