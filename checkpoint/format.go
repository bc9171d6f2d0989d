package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
)

// The file is text, one record per line, each line framed as
//
//	CCCCCCCC<space>{json}\n
//
// where CCCCCCCC is the CRC-32C (Castagnoli) of the JSON, in lower-case hex. The first line is
// the Header; every other line is an Entry written as exactly {"k":"KKKKKKKKKKKKKKKK","s":STATE}
// or {"k":"KKKKKKKKKKKKKKKK","s":STATE,"d":DATA}, the key in 16 lower-case hex digits (a JSON
// string, since tools that read JSON numbers as doubles would round it). Because the journal
// writes that layout itself, replay parses it by hand instead of through encoding/json:
// resuming over a million entries is then a matter of a CRC and a few byte comparisons per
// line.

// FormatVersion is the version of the file format this package writes and reads. Version 1
// named units by their position in a plan; version 2 names them by a key of their content.
const FormatVersion = 2

const (
	crcHexLen = 8             // CCCCCCCC
	prefixLen = crcHexLen + 1 // CCCCCCCC + ' '
	keyHexLen = 16
)

// castagnoli uses the CPU's CRC32 instruction where there is one (amd64, arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const hexDigits = "0123456789abcdef"

// hexValue maps a lower-case hex digit to its value and every other byte to 0x80, so that
// parsing a key is a table look-up per digit and one test at the end.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0x80
	}
	for i := range len(hexDigits) {
		t[hexDigits[i]] = byte(i)
	}
	return t
}()

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
	if h.Version < 1 {
		return h, fmt.Errorf("header: bad version %d", h.Version)
	}
	return h, nil
}

// appendEntry appends the framed line of an entry to dst. data must be compact JSON (no
// newline) or empty.
func appendEntry(dst []byte, key uint64, st State, data []byte) []byte {
	start := len(dst)
	dst = append(dst, "00000000 {\"k\":\""...)
	for i := keyHexLen - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[key>>(uint(i)*4)&0xf])
	}
	dst = append(dst, "\",\"s\":"...)
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
	prefixKey   = []byte(`{"k":"`)
	prefixState = []byte(`","s":`)
	prefixData  = []byte(`,"d":`)
)

// parseEntry parses an entry line (without its newline): CRC, then the fixed layout.
func parseEntry(line []byte) (key uint64, st State, data []byte, err error) {
	body, err := unframe(line)
	if err != nil {
		return 0, 0, nil, err
	}
	if !hasPrefix(body, prefixKey) || len(body) < len(prefixKey)+keyHexLen {
		return 0, 0, nil, errors.New(`no "k" field`)
	}
	var bad byte
	for _, c := range body[len(prefixKey) : len(prefixKey)+keyHexLen] {
		v := hexValue[c]
		bad |= v
		key = key<<4 | uint64(v&0xf)
	}
	if bad&0x80 != 0 {
		return 0, 0, nil, errors.New("bad key")
	}
	rest := body[len(prefixKey)+keyHexLen:]
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
		return key, st, nil, nil
	case hasPrefix(rest, prefixData) && len(rest) > len(prefixData)+1 && rest[len(rest)-1] == '}':
		data = rest[len(prefixData) : len(rest)-1]
		if !validData(data) {
			return 0, 0, nil, errors.New("bad data")
		}
		return key, st, data, nil
	}
	return 0, 0, nil, errors.New("bad entry layout")
}

func hasPrefix(b, p []byte) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == string(p)
}
