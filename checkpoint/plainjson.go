package checkpoint

import "encoding/json"

// validData reports whether an entry's data is JSON. Opening a checkpoint and scanning it
// check every entry's data, so a resumed run over a million entries checks it two million
// times; encoding/json's scanner was most of that start-up. Most data is a flat array or
// object of strings and integers (a finished unit's record), which plainJSON recognises
// without it; anything else goes to json.Valid.
func validData(b []byte) bool {
	return plainJSON(b) || json.Valid(b)
}

// plainJSON reports whether b is a flat JSON array or object, without whitespace, of strings
// without escapes or control bytes and integers. It never accepts what json.Valid rejects;
// false only means that b is not of that simple form.
func plainJSON(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	obj := b[0] == '{'
	end := len(b) - 1
	if !(b[0] == '[' && b[end] == ']' || obj && b[end] == '}') {
		return false
	}
	if end == 1 {
		return true // [] or {}
	}
	for i := 1; ; {
		if obj {
			j := plainString(b, i, end)
			if j < 0 || j >= end || b[j] != ':' {
				return false
			}
			i = j + 1
		}
		j := plainString(b, i, end)
		if j < 0 {
			j = plainInt(b, i, end)
		}
		switch {
		case j < 0:
			return false
		case j == end:
			return true
		case b[j] != ',':
			return false
		}
		i = j + 1
	}
}

// plainString returns the index just past a string without escapes or control bytes that
// starts at b[i] and closes before b[end], or -1. (JSON strings may hold any other byte:
// json.Valid does not check UTF-8 either.)
func plainString(b []byte, i, end int) int {
	if i >= end || b[i] != '"' {
		return -1
	}
	for j := i + 1; j < end; j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c == '\\' || c < 0x20:
			return -1
		}
	}
	return -1
}

// plainInt returns the index just past an integer (-?(0|[1-9][0-9]*)) that starts at b[i],
// before b[end], or -1. A digit after a leading 0 is left for the caller, which rejects it.
func plainInt(b []byte, i, end int) int {
	if i < end && b[i] == '-' {
		i++
	}
	if i >= end || b[i] < '0' || b[i] > '9' {
		return -1
	}
	if b[i] == '0' {
		return i + 1
	}
	for i < end && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
