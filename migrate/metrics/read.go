package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxLineBytes bounds one line of the log: a real line is well under a kilobyte even with
// every histogram bucket and many codes, so anything longer is not this log.
const maxLineBytes = 64 << 10

// Read reads a log that a Recorder wrote. A last line without its newline that does not
// parse is the tear of a killed run and is dropped; a bad line anywhere else is an error that
// names its line. Blank lines are skipped.
func Read(r io.Reader) ([]Line, error) {
	var out []Line
	err := Scan(r, func(l Line) { out = append(out, l) })
	return out, err
}

// Scan is Read for a log of any length: it calls fn with each line in turn instead of holding
// them. On an error the lines before it were handed to fn.
func Scan(r io.Reader, fn func(Line)) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		b, err := readLine(br)
		last := errors.Is(err, io.EOF)
		if err != nil && !last {
			return fmt.Errorf("metrics: line %d: %w", n, err)
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(bytes.TrimSpace(b)) > 0 {
			var l Line
			perr := json.Unmarshal(b, &l)
			if perr == nil {
				perr = l.check()
			}
			switch {
			case perr == nil:
				fn(l)
			case last:
				return nil // torn
			default:
				return fmt.Errorf("metrics: line %d: %w", n, perr)
			}
		}
		if last {
			return nil
		}
	}
}

// readLine returns the next line with its newline; at the end of the input it returns what
// is left with io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLineBytes {
			return nil, fmt.Errorf("longer than %d bytes", maxLineBytes)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// check rejects a line that parsed as JSON but cannot be a Recorder's.
func (l *Line) check() error {
	switch {
	case l.Endpoint == "":
		return errors.New("no endpoint")
	case l.Time.IsZero():
		return errors.New("no time")
	case l.Requests < 0 || l.Retries < 0 || l.OK < 0 || l.Throttled < 0 || l.Transient < 0 ||
		l.Failed < 0 || l.Fatal < 0:
		return errors.New("negative count")
	}
	return nil
}

// Merge returns the line of a's and b's attempts together, at a's time and endpoint: counts
// added, the higher limit, the histograms merged and the percentiles taken from the merged
// one. It folds the lines of a long log into longer spans.
func Merge(a, b Line) Line {
	a.Requests += b.Requests
	a.Retries += b.Retries
	a.OK += b.OK
	a.Throttled += b.Throttled
	a.Transient += b.Transient
	a.Failed += b.Failed
	a.Fatal += b.Fatal
	a.Limit = max(a.Limit, b.Limit)
	a.Hist = MergeHist(a.Hist, b.Hist)
	a.P50, a.P90, a.P99 = millis(Quantile(a.Hist, 0.5)), millis(Quantile(a.Hist, 0.9)), millis(Quantile(a.Hist, 0.99))
	if len(b.Codes) > 0 {
		codes := make(map[string]int, len(a.Codes)+len(b.Codes))
		for c, n := range a.Codes {
			codes[c] += n
		}
		for c, n := range b.Codes {
			codes[c] += n
		}
		a.Codes = codes
	}
	return a
}
