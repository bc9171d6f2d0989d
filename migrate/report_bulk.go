package migrate

import (
	"errors"

	"github.com/chatmigrate/chatmigrate/sources"
)

// beginBulk lets the rows written until endBulk reach the files in large writes instead of
// one write each: the replay of a journal rewrites up to millions of rows, which a write
// per row makes take seconds. Rows lost in a crash meanwhile are no loss, since they are
// already in the journal and the next run writes them all again.
func (r *Reports) beginBulk() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bulk = true
}

// endBulk writes the rows buffered since beginBulk and makes every later row reach the
// operating system at once again.
func (r *Reports) endBulk() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bulk = false
	if r.closed {
		return nil
	}
	return r.flushLocked()
}

// flushLocked writes every buffered row; r.mu is held.
func (r *Reports) flushLocked() error {
	var errs []error
	for _, c := range []*csvFile{r.failures, r.topicIDs} {
		if c != nil {
			errs = append(errs, c.flush())
		}
	}
	for _, k := range sources.Kinds { // in order, for a stable joined error
		if j := r.failed[k]; j != nil {
			errs = append(errs, j.flush())
		}
	}
	return errors.Join(errs...)
}
