package sources

// A byte scan of the JSON the fast path decodes, for what encoding/json does not check: exact
// and unrepeated keys, and surrogate escapes in pairs.

// fastKeys reports whether b is one object whose keys are all in ks, each written without
// escapes and each at most once (and so on for the objects in ks.objects), and whose strings
// hold no UTF-16 surrogate escape but in a valid pair. It is a scan, not a parser: b that is
// not valid JSON may pass, and is then refused by json.Unmarshal.
func fastKeys(b []byte, ks *keySet) bool {
	i, ok := scanObject(b, skipSpace(b, 0), ks)
	return ok && skipSpace(b, i) == len(b)
}

// scanObject checks the object at b[i] and returns the index just after it.
func scanObject(b []byte, i int, ks *keySet) (int, bool) {
	if i >= len(b) || b[i] != '{' {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	var seen uint32 // bit k: ks.keys[k] came already; every key set has fewer than 32 keys
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		end := i + 1
		for end < len(b) && b[end] != '"' && b[end] != '\\' {
			end++
		}
		if end >= len(b) || b[end] != '"' {
			return i, false // an escape in a key: the walk decodes it
		}
		key := b[i+1 : end]
		k := 0
		for k < len(ks.keys) && ks.keys[k] != string(key) {
			k++
		}
		if k == len(ks.keys) || seen&(1<<k) != 0 {
			return i, false
		}
		seen |= 1 << k
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		i = skipSpace(b, i+1)
		var ok bool
		if ks.elem != nil && ks.objects == string(key) && i < len(b) && b[i] == '[' {
			i, ok = scanObjects(b, i, ks.elem)
		} else {
			i, ok = skipValue(b, i)
		}
		if !ok {
			return i, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

// scanObjects checks the array at b[i], whose elements must all be objects of ks.
func scanObjects(b []byte, i int, ks *keySet) (int, bool) {
	i = skipSpace(b, i+1) // past '['
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = scanObject(b, i, ks); !ok {
			return i, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case ']':
			return i + 1, true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return i, false
		}
	}
}

// skipValue returns the index just after the value at b[i], checking the escapes of every
// string inside it.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				var ok bool
				if i, ok = skipString(b, i); !ok {
					return i, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return i, false
	}
	start := i
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i, i > start
		}
		i++
	}
	return i, i > start
}

// skipString returns the index just after the string at b[i]. It fails on a \u escape of a
// UTF-16 surrogate that is not the first half of a valid pair directly followed by the second,
// which encoding/json would turn into U+FFFD without a word.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); {
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 < len(b) && b[i+1] == 'u' {
				r, ok := hex4(b, i+2)
				switch {
				case !ok:
					return i, false
				case r >= 0xDC00 && r <= 0xDFFF:
					return i, false // a second half alone
				case r >= 0xD800 && r <= 0xDBFF:
					if i+11 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' {
						return i, false
					}
					if lo, ok := hex4(b, i+8); !ok || lo < 0xDC00 || lo > 0xDFFF {
						return i, false
					}
					i += 12
				default:
					i += 6
				}
				continue
			}
			i += 2
		default:
			i++
		}
	}
	return i, false
}

// hex4 decodes the four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
