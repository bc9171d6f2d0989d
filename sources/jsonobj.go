package sources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// jsonObject is one JSON object already known to be valid JSON and valid UTF-8, walked key by
// key. Keys are matched exactly: encoding/json v1 would match "groupid" to GroupId and keep the
// last of two equal keys, and either would let a user's typo pass in silence.
type jsonObject struct {
	pos  Pos
	data []byte
	path string // prefix of field names in errors, as "ContactItem[0]."
}

// each calls fn for every member in order. It stops at the first error fn returns, and reports
// a repeated key or a value that is not an object.
func (o *jsonObject) each(fn func(key string, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(o.data))
	tok, err := dec.Token()
	if err != nil {
		return o.bad("", string(o.data), "not valid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &RowError{Field: strings.TrimSuffix(o.path, "."), Excerpt: Excerpt(string(o.data)),
			Reason: "want a JSON object, got " + kindOf(o.data)}
	}
	var seen []string // bounded: fn refuses unknown keys, so only known ones accumulate
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return o.bad("", "", "not valid JSON: %v", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return o.bad(key, "", "not valid JSON: %v", err)
		}
		for _, s := range seen {
			if s == key {
				return o.bad(key, string(raw), "key appears twice in one object")
			}
		}
		seen = append(seen, key)
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	return nil
}

// bad makes a *RowError for the field key; newJSONL fills in the file and line.
func (o *jsonObject) bad(key, value, format string, args ...any) *RowError {
	field := key
	if key != "" {
		field = o.path + key
	}
	return &RowError{Field: field, Excerpt: Excerpt(value), Reason: fmt.Sprintf(format, args...)}
}

// unknown reports a key this kind does not have, with a hint when only its case differs.
func (o *jsonObject) unknown(key string, raw json.RawMessage, known []string) *RowError {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return o.bad(key, string(raw), "unknown key: did you mean %q? (keys are case-sensitive)", k)
		}
	}
	return o.bad(key, string(raw), "unknown key (want %s)", strings.Join(known, ","))
}

// str decodes a string value; null counts as absent.
func (o *jsonObject) str(key string, raw json.RawMessage, dst *string) error {
	switch raw[0] {
	case 'n':
		return nil
	case '"':
	default:
		return o.bad(key, string(raw), "want a string, got %s", kindOf(raw))
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return o.bad(key, string(raw), "bad string: %v", err)
	}
	// A \ud800-style escape of half a surrogate pair also decodes to U+FFFD in silence.
	if strings.ContainsRune(*dst, utf8.RuneError) &&
		strings.Count(*dst, "\uFFFD") > bytes.Count(raw, []byte("\uFFFD"))+
			bytes.Count(bytes.ToLower(raw), []byte(`\ufffd`)) {
		return o.bad(key, string(raw), "invalid \\u escape (half a UTF-16 surrogate pair)")
	}
	return nil
}

// text decodes a value written as a JSON number or a string (CreateTime, Type) into its
// decimal text, exactly as written, for validation to check.
func (o *jsonObject) text(key string, raw json.RawMessage, dst *string) error {
	switch c := raw[0]; {
	case c == '-' || (c >= '0' && c <= '9'):
		*dst = string(raw)
		return nil
	case c == '"' || c == 'n':
		return o.str(key, raw, dst)
	}
	return o.bad(key, string(raw), "want a number, got %s", kindOf(raw))
}

// array calls fn for each element of an array value; null counts as an empty array.
func (o *jsonObject) array(key string, raw json.RawMessage, fn func(i int, elem json.RawMessage) error) error {
	switch raw[0] {
	case 'n':
		return nil
	case '[':
	default:
		return o.bad(key, string(raw), "want an array, got %s", kindOf(raw))
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return o.bad(key, string(raw), "bad array: %v", err)
	}
	for i, e := range elems {
		if err := fn(i, e); err != nil {
			return err
		}
	}
	return nil
}

// kindOf names the JSON type of a valid value by its first byte.
func kindOf(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func topicFromJSON(o *jsonObject) (Topic, error) {
	t := Topic{Pos: o.pos}
	err := o.each(func(key string, raw json.RawMessage) error {
		switch key {
		case "GroupId":
			return o.str(key, raw, &t.GroupId)
		case "TopicId":
			return o.str(key, raw, &t.TopicId)
		case "TopicName":
			return o.str(key, raw, &t.TopicName)
		case "From_Account":
			return o.str(key, raw, &t.From_Account)
		case "CustomString":
			return o.str(key, raw, &t.CustomString)
		case "FaceUrl":
			return o.str(key, raw, &t.FaceUrl)
		case "Notification":
			return o.str(key, raw, &t.Notification)
		case "Introduction":
			return o.str(key, raw, &t.Introduction)
		case "CreateTime":
			return o.text(key, raw, &t.CreateTime)
		}
		return o.unknown(key, raw, topicColumns.known)
	})
	return t, err
}

func friendGroupFromJSON(o *jsonObject) (FriendGroup, error) {
	g := FriendGroup{Pos: o.pos}
	err := o.each(func(key string, raw json.RawMessage) error {
		switch key {
		case "From_Account":
			return o.str(key, raw, &g.From_Account)
		case "GroupName":
			return o.str(key, raw, &g.GroupName)
		case "To_Account":
			return o.array(key, raw, func(i int, elem json.RawMessage) error {
				var s string
				if err := o.str(fmt.Sprintf("%s[%d]", key, i), elem, &s); err != nil {
					return err
				}
				g.To_Account = append(g.To_Account, s)
				return nil
			})
		}
		return o.unknown(key, raw, friendGroupColumns.known)
	})
	return g, err
}

var (
	contactGroupKeys = []string{"From_Account", "GroupName", "ContactItem", "Op", "NewGroupName"}
	contactKeys      = []string{"Type", "To_Account", "ToGroupId"}
)

func contactGroupFromJSON(o *jsonObject) (ContactGroup, error) {
	g := ContactGroup{Pos: o.pos}
	err := o.each(func(key string, raw json.RawMessage) error {
		switch key {
		case "From_Account":
			return o.str(key, raw, &g.From_Account)
		case "GroupName":
			return o.str(key, raw, &g.GroupName)
		case "Op":
			return o.str(key, raw, &g.Op)
		case "NewGroupName":
			return o.str(key, raw, &g.NewGroupName)
		case "ContactItem":
			return o.array(key, raw, func(i int, elem json.RawMessage) error {
				c, err := contactFromJSON(&jsonObject{pos: o.pos, data: elem, path: fmt.Sprintf("%s[%d].", key, i)})
				if err != nil {
					return err
				}
				g.ContactItem = append(g.ContactItem, c)
				return nil
			})
		}
		return o.unknown(key, raw, contactGroupKeys)
	})
	return g, err
}

func contactFromJSON(o *jsonObject) (Contact, error) {
	var c Contact
	err := o.each(func(key string, raw json.RawMessage) error {
		switch key {
		case "Type":
			return o.text(key, raw, &c.Type)
		case "To_Account":
			return o.str(key, raw, &c.To_Account)
		case "ToGroupId":
			return o.str(key, raw, &c.ToGroupId)
		}
		return o.unknown(key, raw, contactKeys)
	})
	return c, err
}
