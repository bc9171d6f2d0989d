package sources

import (
	"bufio"
	"bytes"
)

// sniffBytes is how much of a file's start sniff looks at.
const sniffBytes = 4 << 10

// utf16Error refuses a file that starts with a UTF-16 byte order mark: read as UTF-8, every
// field of it would be garbage, so nothing of it is worth reading.
func utf16Error(name string, br *bufio.Reader) error {
	b, _ := br.Peek(2)
	if bytes.Equal(b, []byte{0xFF, 0xFE}) || bytes.Equal(b, []byte{0xFE, 0xFF}) {
		return &FileError{File: name, Reason: "encoded as UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8 (in a spreadsheet: CSV UTF-8)"}
	}
	return nil
}

// sniff looks at the start of a file of format f and returns a hint for its first error when
// it looks like another format than its name says: JSON lines or a JSON array in a .csv, a
// CSV separated by ';', a pretty-printed JSON document in a .jsonl. "" when nothing stands out.
func sniff(br *bufio.Reader, f Format) string {
	b, _ := br.Peek(sniffBytes)
	first, _, _ := bytes.Cut(bytes.TrimLeft(b, " \t\r\n"), []byte("\n"))
	first = bytes.TrimSpace(first)
	if len(first) == 0 {
		return ""
	}
	switch {
	case first[0] == '[':
		return "the file looks like a JSON array: write one JSON object per line (JSONL) and name the file .jsonl"
	case f == JSONL && bytes.Equal(first, []byte("{")):
		return "the file looks like pretty-printed JSON: write each object on one line (JSONL)"
	case f == CSV && first[0] == '{':
		return "the file holds JSON lines, not CSV: name it .jsonl"
	case f == CSV && bytes.IndexByte(first, ';') >= 0 && bytes.IndexByte(first, ',') < 0:
		return "the header is separated by ';': save the file as comma-separated CSV"
	}
	return ""
}

// withHint appends hint to a reason.
func withHint(reason, hint string) string {
	if hint == "" {
		return reason
	}
	return reason + " (" + hint + ")"
}
