package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
)

// The file is text, one record per line, each line framed as
//
//	CCCCCCCC<space>{json}\n
//
// where CCCCCCCC is the CRC-32C (Castagnoli) of the JSON, in lower-case hex. The first line is
// the Header; every other line is an Entry written as exactly {"o":ORD,"s":STATE} or
// {"o":ORD,"s":STATE,"d":DATA}. Because the journal writes that layout itself, replay parses
// it by hand instead of through encoding/json: resuming over a million entries is then a
// matter of a CRC and a few byte comparisons per line.

// FormatVersion is the version of the file format this package writes and reads.
const FormatVersion = 1

const (
	crcHexLen = 8             // CCCCCCCC
	prefixLen = crcHexLen + 1 // CCCCCCCC + ' '
	// maxOrdDigits bounds the ordinal's digits so that parsing cannot overflow an int.
	maxOrdDigits = 18
)

// castagnoli uses the CPU's CRC32 instruction where there is one (amd64, arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const hexDigits = "0123456789abcdef"

// frame writes the CRC of line[prefixLen:] into line[:prefixLen], which the caller reserved.
func frame(line []byte) {
	sum := crc32.Checksum(line[prefixLen:], castagnoli)
	for i := crcHexLen - 1; i >= 0; i-- {
		line[i] = hexDigits[sum&0xf]
		sum >>= 4
	}
	line[crcHexLen] = ' '
}

// unframe checks the CRC of a line (without its newline) and returns its JSON body.
func unframe(line []byte) ([]byte, error) {
	if len(line) < prefixLen+2 || line[crcHexLen] != ' ' {
		return nil, errors.New("no CRC prefix")
	}
	var want uint32
	for _, c := range line[:crcHexLen] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		default:
			return nil, errors.New("bad CRC digits")
		}
		want = want<<4 | uint32(v)
	}
	body := line[prefixLen:]
	if crc32.Checksum(body, castagnoli) != want {
		return nil, errors.New("CRC mismatch")
	}
	return body, nil
}

// encodeHeader returns the framed header line.
func encodeHeader(h Header) ([]byte, error) {
	js, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	line := append(make([]byte, prefixLen, prefixLen+len(js)+1), js...)
	frame(line)
	return append(line, '\n'), nil
}

// decodeHeader parses a header line (without its newline).
func decodeHeader(line []byte) (Header, error) {
	var h Header
	body, err := unframe(line)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(body, &h); err != nil {
		return h, fmt.Errorf("header: %w", err)
	}
	if h.Version < 1 || h.Units < 0 {
		return h, fmt.Errorf("header: bad version %d or units %d", h.Version, h.Units)
	}
	return h, nil
}

// appendEntry appends the framed line of an entry to dst. data must be compact JSON (no
// newline) or empty.
func appendEntry(dst []byte, ord int, st State, data []byte) []byte {
	start := len(dst)
	dst = append(dst, "00000000 {\"o\":"...)
	dst = strconv.AppendInt(dst, int64(ord), 10)
	dst = append(dst, ",\"s\":"...)
	dst = append(dst, '0'+byte(st))
	if len(data) > 0 {
		dst = append(dst, ",\"d\":"...)
		dst = append(dst, data...)
	}
	dst = append(dst, '}')
	frame(dst[start:])
	return append(dst, '\n')
}

var (
	prefixOrd   = []byte(`{"o":`)
	prefixState = []byte(`,"s":`)
	prefixData  = []byte(`,"d":`)
)

// parseEntry parses an entry line (without its newline): CRC, then the fixed layout. The ord
// is not checked against the header's Units here; the caller does that.
func parseEntry(line []byte) (ord int, st State, data []byte, err error) {
	body, err := unframe(line)
	if err != nil {
		return 0, 0, nil, err
	}
	if !hasPrefix(body, prefixOrd) {
		return 0, 0, nil, errors.New(`no "o" field`)
	}
	i := len(prefixOrd)
	j := i
	for j < len(body) && body[j] >= '0' && body[j] <= '9' {
		ord = ord*10 + int(body[j]-'0')
		j++
		if j-i > maxOrdDigits {
			return 0, 0, nil, errors.New("ordinal too long")
		}
	}
	if j == i || (body[i] == '0' && j-i > 1) {
		return 0, 0, nil, errors.New("bad ordinal")
	}
	rest := body[j:]
	if !hasPrefix(rest, prefixState) || len(rest) < len(prefixState)+2 {
		return 0, 0, nil, errors.New(`no "s" field`)
	}
	s := rest[len(prefixState)]
	if s < '0'+byte(Sent) || s > '0'+byte(Failed) {
		return 0, 0, nil, errors.New("bad state")
	}
	st = State(s - '0')
	rest = rest[len(prefixState)+1:]
	switch {
	case len(rest) == 1 && rest[0] == '}':
		return ord, st, nil, nil
	case hasPrefix(rest, prefixData) && len(rest) > len(prefixData)+1 && rest[len(rest)-1] == '}':
		data = rest[len(prefixData) : len(rest)-1]
		if !validData(data) {
			return 0, 0, nil, errors.New("bad data")
		}
		return ord, st, data, nil
	}
	return 0, 0, nil, errors.New("bad entry layout")
}

func hasPrefix(b, p []byte) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == string(p)
}
