package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
)

// replayKeys is replay for Open, which needs every intact entry's key and state and nothing
// else: it ends where replay ends and fails where replay fails (the same torn tail, the same
// *CorruptError), but parses the lines on a few goroutines, a block of whole lines each, while
// apply is called on the caller's goroutine with each block's intact entries, in file order. On a journal of ten million requests
// the parsing (a CRC and the data's check per line) is most of the time of opening it, and the
// table set fills cannot be shared out, since a key's last entry must win.
func replayKeys(r io.Reader, start int64, block int, apply func([]keyState)) (int64, error) {
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	work := make(chan *keyBlock)
	order := make(chan *keyBlock, workers+1)
	stop := make(chan struct{})
	go readBlocks(r, start, block, work, order, stop)
	for range workers {
		go func() {
			for b := range work {
				b.res <- parseBlock(b)
			}
		}()
	}
	end, err := applyBlocks(start, order, apply)
	close(stop)
	for range order { // let the reader see stop and end
	}
	return end, err
}

// keyBlock is a run of whole lines of the journal (the last block may end in a line without
// its newline: a torn tail) and, once parsed, its result.
type keyBlock struct {
	off     int64 // offset of data[0]
	data    []byte
	readErr error // the read failed at off; data is empty
	res     chan blockResult
}

// blockResult is what a block's lines hold: the intact entries up to the first bad line, that
// line's offset (-1 if none) and what is wrong with it, and whether an intact line follows it.
type blockResult struct {
	keys        []keyState
	bad         int64
	reason      string
	intactAfter bool
	end         int64 // offset just past the block
}

// keyState is an intact entry's offset, key and state.
type keyState struct {
	off int64
	key uint64
	st  State
}

// readBlocks cuts r into blocks of about size bytes at line ends and hands each to a worker
// (work) and, in file order, to the caller (order). A line longer than size makes its block
// longer. It closes both channels when r ends, fails, or stop is closed.
func readBlocks(r io.Reader, off int64, size int, work, order chan<- *keyBlock, stop <-chan struct{}) {
	defer close(order)
	defer close(work)
	var carry []byte // the start of a line the previous block cut
	for {
		buf := make([]byte, max(size, 2*len(carry)))
		n := copy(buf, carry)
		m, err := io.ReadFull(r, buf[n:])
		n += m
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			send(&keyBlock{off: off, readErr: err, res: make(chan blockResult, 1)}, work, order, stop)
			return
		}
		cut := n
		if !eof {
			cut = bytes.LastIndexByte(buf[:n], '\n') + 1 // 0: no newline yet, read on
		}
		carry = append(carry[:0], buf[cut:n]...)
		if cut > 0 {
			if !send(&keyBlock{off: off, data: buf[:cut], res: make(chan blockResult, 1)}, work, order, stop) {
				return
			}
			off += int64(cut)
		}
		if eof {
			return
		}
	}
}

// send hands b on, or reports false when stop was closed first.
func send(b *keyBlock, work, order chan<- *keyBlock, stop <-chan struct{}) bool {
	select {
	case order <- b:
	case <-stop:
		return false
	}
	if b.readErr != nil {
		b.res <- blockResult{}
		return true
	}
	select {
	case work <- b:
		return true
	case <-stop:
		b.res <- blockResult{bad: -1, end: b.off}
		return false
	}
}

// parseBlock parses a block's lines as replay does.
func parseBlock(b *keyBlock) blockResult {
	res := blockResult{bad: -1, end: b.off + int64(len(b.data))}
	for i := 0; i < len(b.data); {
		j := bytes.IndexByte(b.data[i:], '\n')
		complete := j >= 0
		if !complete {
			j = len(b.data) - i
		}
		line := b.data[i : i+j]
		next := i + j + 1
		if res.bad >= 0 {
			if complete {
				if _, _, _, err := parseEntry(line); err == nil {
					res.intactAfter = true
					return res
				}
			}
			i = next
			continue
		}
		reason := "incomplete line"
		if complete {
			key, st, _, err := parseEntry(line)
			if err == nil {
				res.keys = append(res.keys, keyState{b.off + int64(i), key, st})
				i = next
				continue
			}
			reason = err.Error()
		}
		res.bad, res.reason = b.off+int64(i), reason
		i = next
	}
	return res
}

// applyBlocks sets the blocks' entries in file order and returns replay's end and error.
func applyBlocks(start int64, order <-chan *keyBlock, apply func([]keyState)) (int64, error) {
	end := start
	var bad *CorruptError // the first bad line, while looking for an intact one after it
	for b := range order {
		res := <-b.res
		if b.readErr != nil {
			return end, fmt.Errorf("read at offset %d: %w", b.off, b.readErr)
		}
		if bad != nil {
			if len(res.keys) > 0 || res.intactAfter {
				return end, bad
			}
			continue
		}
		if len(res.keys) > 0 {
			apply(res.keys)
		}
		if res.bad < 0 {
			end = res.end
			continue
		}
		end = res.bad
		bad = &CorruptError{Offset: res.bad, Reason: res.reason}
		if res.intactAfter {
			return end, bad
		}
	}
	return end, nil
}
