// Package checkpoint is the durable journal of a migration run: which units were sent,
// finished or failed for good, each named by a 64-bit key the caller derives from what the
// unit sends (not from its place in a plan), so that a journal stays true whatever the input
// becomes between runs.
//
// A run writes to it as it goes, from one goroutine or several: every Append reaches the
// operating system (write(2)) before it returns, so killing the process loses nothing the
// caller was told is recorded; fsync is group-committed in the background, so a power loss
// loses at most the last SyncEvery entries or SyncInterval of them. A rerun with the same file
// learns from the file alone what is done, what was sent but never answered (in doubt: State
// Sent), and what failed.
//
// Memory and start-up cost grow with the number of units, not with what the units hold: the
// journal keeps a key and a state byte per unit recorded and never keeps an entry's Data,
// which Scan streams back when reports are rebuilt.
package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
	"unsafe"
)

// State is the latest recorded state of a unit. Later entries override earlier ones: Sent is
// followed by Done or Failed, and a retried unit goes back to Sent.
type State uint8

// States of a unit.
const (
	Pending State = iota // nothing recorded
	Sent                 // the request may have gone out; no final answer recorded (in doubt)
	Done                 // finished; Data holds what the caller recorded (e.g. a TopicId)
	Failed               // failed permanently; Data says why
)

func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Sent:
		return "sent"
	case Done:
		return "done"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Header is the first line of the file, written atomically when the file is created. It
// names no plan: entries name their units by key, so any input may resume any journal.
type Header struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	Tool    string    `json:"tool,omitempty"`
}

// Entry records that the unit of Key reached State. The caller derives Key from what the unit
// sends, so that a unit keeps its key when other units come or go. Data is caller-defined JSON
// (for example the TopicId and per-item failures); it must never hold credentials, which the
// caller ensures.
type Entry struct {
	Key   uint64
	State State
	Data  json.RawMessage
}

// Options tune durability. The zero value gives the defaults.
type Options struct {
	// SyncEvery fsyncs after this many unsynced entries (default 512).
	SyncEvery int
	// SyncInterval fsyncs this long after the first unsynced entry (default 1s).
	SyncInterval time.Duration
}

// Defaults of Options.
const (
	DefaultSyncEvery    = 512
	DefaultSyncInterval = time.Second
)

// ErrClosed is returned by calls on a closed Journal.
var ErrClosed = errors.New("checkpoint: journal closed")

// Journal is an open checkpoint file. Its methods are safe for concurrent use.
type Journal struct {
	path    string
	hdr     Header
	opt     Options
	resumed bool

	// syncMu serializes fsyncs; it is taken before mu, never while holding mu.
	syncMu sync.Mutex

	mu     sync.Mutex
	f      *os.File
	size   int64    // offset of the end of the last complete entry
	opened keyTable // the states the file held when opened; read-only after Open
	// failedAt lists, in file order, the Failed entries the file held when opened.
	failedAt []failedEntry
	written  uint64 // entries written
	synced   uint64 // entries known fsynced
	buf      []byte
	compact  bytes.Buffer
	err      error // sticky: a failed fsync or an unrepairable write
	closed   bool

	dirty chan struct{} // first unsynced entry
	full  chan struct{} // SyncEvery unsynced entries
	quit  chan struct{}
	done  chan struct{}
}

// Path returns the journal's file path.
func (j *Journal) Path() string { return j.path }

// Header returns the file's header: the one Open was given when it created the file, else
// the file's own (with its original Created).
func (j *Journal) Header() Header { return j.hdr }

// Resumed reports whether the file existed (with a header) when it was opened.
func (j *Journal) Resumed() bool { return j.resumed }

// State returns the state the file recorded last for key when the journal was opened:
// what earlier runs did. It does not follow this run's Appends, which the caller makes and
// knows about; so the journal's memory grows with earlier runs' units alone. Pending means
// no entry names key. Safe for concurrent use.
func (j *Journal) State(key uint64) State { return j.opened.get(key) }

// Counts returns how many keys were in each state (Sent, Done, Failed) when the journal was
// opened.
func (j *Journal) Counts() map[State]int {
	c := j.opened.counts
	return map[State]int{Sent: c[Sent], Done: c[Done], Failed: c[Failed]}
}

// HeldBytes returns the memory the journal holds for what the file said when it was opened
// (its table of unit states and where its failures are), which stays held while it is open:
// about 13 bytes a unit.
func (j *Journal) HeldBytes() int64 {
	return int64(len(j.opened.groups))*int64(unsafe.Sizeof(keyGroup{})) + int64(cap(j.failedAt))*int64(unsafe.Sizeof(failedEntry{}))
}

// Append records e. It returns once the entry has been written to the operating system, so a
// killed process keeps it; fsync follows within SyncEvery entries or SyncInterval. Data must be
// valid JSON or empty; it is stored compacted. A failed fsync is sticky: every later Append
// returns it, since what was written since the last good fsync may be lost.
func (j *Journal) Append(e Entry) error {
	if e.State < Sent || e.State > Failed {
		return fmt.Errorf("checkpoint: cannot append state %v for key %016x", e.State, e.Key)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ErrClosed
	}
	if j.err != nil {
		return j.err
	}
	var data []byte
	if len(e.Data) > 0 {
		j.compact.Reset()
		if err := json.Compact(&j.compact, e.Data); err != nil {
			return fmt.Errorf("checkpoint: data of key %016x: %w", e.Key, err)
		}
		data = j.compact.Bytes()
	}
	j.buf = appendEntry(j.buf[:0], e.Key, e.State, data)
	if n, err := j.f.Write(j.buf); err != nil {
		// Take back a partial line, so that later entries do not follow a damaged one (which
		// the next Open would have to refuse as corruption in the middle).
		if n > 0 {
			if terr := j.f.Truncate(j.size); terr != nil {
				j.err = fmt.Errorf("checkpoint %s: write failed and could not be undone: %w", j.path, errors.Join(err, terr))
			} else if _, serr := j.f.Seek(j.size, 0); serr != nil {
				j.err = fmt.Errorf("checkpoint %s: write failed and could not be undone: %w", j.path, errors.Join(err, serr))
			}
		}
		return fmt.Errorf("checkpoint %s: append key %016x: %w", j.path, e.Key, err)
	}
	j.size += int64(len(j.buf))
	j.written++
	switch pending := j.written - j.synced; {
	case pending >= uint64(j.opt.SyncEvery):
		signal(j.full)
		fallthrough
	case pending == 1:
		signal(j.dirty)
	}
	return nil
}

// signal wakes the syncer without blocking; a wake-up already pending is enough.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Sync fsyncs every entry appended so far. Appends go on while it runs.
func (j *Journal) Sync() error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	return j.syncLocked()
}

// syncLocked fsyncs up to the entries written now. It is called with syncMu and mu held and
// releases mu (not syncMu) before returning.
func (j *Journal) syncLocked() error {
	target, f := j.written, j.f
	if target == j.synced || j.err != nil {
		err := j.err
		j.mu.Unlock()
		return err
	}
	j.mu.Unlock()
	err := f.Sync()
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		if j.err == nil {
			j.err = fmt.Errorf("checkpoint %s: fsync: %w", j.path, err)
		}
		return j.err
	}
	if target > j.synced {
		j.synced = target
	}
	return nil
}

// syncLoop is the group commit: it fsyncs SyncInterval after the first unsynced entry, or
// sooner once SyncEvery entries are waiting.
func (j *Journal) syncLoop() {
	defer close(j.done)
	for {
		select {
		case <-j.dirty:
		case <-j.quit:
			return
		}
		t := time.NewTimer(j.opt.SyncInterval)
		select {
		case <-t.C:
		case <-j.full:
			t.Stop()
		case <-j.quit:
			t.Stop()
			return
		}
		// An error is kept in j.err and returned by the next Append, Sync or Close.
		_ = j.Sync()
		// Entries appended while fsync ran did not see the count go from 0 to 1, so they
		// did not signal dirty: start their interval now.
		j.mu.Lock()
		more := j.written > j.synced && j.err == nil
		j.mu.Unlock()
		if more {
			signal(j.dirty)
		}
	}
}

// Close fsyncs and closes the journal. Later calls return ErrClosed; so do Appends that
// start after Close did.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	j.closed = true
	j.mu.Unlock()
	close(j.quit)
	<-j.done

	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	j.mu.Lock()
	err := j.syncLocked() // unlocks mu
	if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("checkpoint %s: close: %w", j.path, cerr)
	}
	return err
}
