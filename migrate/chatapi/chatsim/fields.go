package chatsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// family is an endpoint's error-code family: the vendor numbers its codes per backend service,
// so "bad parameter" is 10004 on group endpoints, 30001 on sns and 50002 on recentcontact.
type family int

const (
	famGroup   family = iota // group_open_http_svc, million_group_open_http_svc
	famSNS                   // sns
	famRC                    // recentcontact
	famAccount               // im_open_login_svc
)

// Codes of im_open_login_svc, which the client has no names for.
const (
	codeAccountBadParam = 70402 // invalid parameter
	codeAccountInternal = 70500 // internal error: retry
)

func (f family) badParam() int {
	switch f {
	case famSNS:
		return chatapi.CodeSNSBadParam
	case famRC:
		return chatapi.CodeRCBadParam
	case famAccount:
		return codeAccountBadParam
	default:
		return chatapi.CodeBadParam
	}
}

// transient is the family's "internal error, retry" code.
func (f family) transient() int {
	switch f {
	case famSNS:
		return chatapi.CodeSNSInternal
	case famRC:
		return chatapi.CodeRCInternal
	case famAccount:
		return codeAccountInternal
	default:
		return chatapi.CodeInternal
	}
}

// throttle is the code an over-rate request meets: the vendor's pages give 10006 on group
// endpoints (docs/vendor-api.md, "Error classes") and the common 60007 elsewhere.
func (f family) throttle() int {
	if f == famGroup {
		return chatapi.CodeGroupFreq
	}
	return chatapi.CodeRESTRate
}

// conflict is the code of a write that overlaps another write for the same From_Account.
func (f family) conflict() int {
	if f == famSNS {
		return chatapi.CodeSNSWriteConflict
	}
	return chatapi.CodeRCInternal
}

// apiErr is a refusal: an ErrorCode and its ErrorInfo.
type apiErr struct {
	code int
	info string
}

// reader holds the first error met while reading one request body: every field accessor
// becomes a no-op after it, so handlers read all fields and check once.
type reader struct {
	fam family
	err *apiErr
}

func (r *reader) fail(code int, format string, args ...any) {
	if r.err == nil {
		r.err = &apiErr{code: code, info: fmt.Sprintf(format, args...)}
	}
}

// object is one JSON object of a request body. Fields are looked up by their exact name: the
// vendor's names are case-sensitive, while encoding/json would match "groupid" to GroupId.
// Unknown fields are ignored, as the vendor ignores them.
//
// Strictness follows docs/vendor-api.md, "Transport": an optional field that is present must
// carry a value ("" / null / 0 in its place is a bad parameter), and integers must be JSON
// integers (no 1.0, no "1").
type object struct {
	r      *reader
	prefix string // for messages about nested fields, e.g. "UpdateGroup."
	m      map[string]json.RawMessage
}

// parseBody reads a request body, which must be one JSON object. ok is false when it is not
// JSON at all (the caller answers 60003).
func parseBody(body []byte, fam family) (*object, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, false
	}
	return &object{r: &reader{fam: fam}, m: m}, true
}

func (o *object) err() *apiErr { return o.r.err }

func (o *object) bad(format string, args ...any) {
	o.r.fail(o.r.fam.badParam(), format, args...)
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// str reads a string field. A required field must be present and non-empty; an optional
// field may be absent, but when present must be non-empty.
func (o *object) str(name string, required bool) string {
	if o.r.err != nil {
		return ""
	}
	raw, ok := o.m[name]
	if !ok {
		if required {
			o.bad("%s%s is required", o.prefix, name)
		}
		return ""
	}
	var s string
	if isNull(raw) || json.Unmarshal(raw, &s) != nil {
		o.bad("%s%s must be a string", o.prefix, name)
		return ""
	}
	if s == "" {
		o.bad("%s%s is empty: leave an optional field out instead", o.prefix, name)
		return ""
	}
	if !utf8.ValidString(s) {
		o.bad("%s%s is not valid UTF-8", o.prefix, name)
		return ""
	}
	return s
}

// has reports whether a field is present, whatever its value.
func (o *object) has(name string) bool {
	_, ok := o.m[name]
	return ok
}

// peekString returns a string field without judging it: used to find From_Account before the
// body is validated, for the per-user write lock.
func (o *object) peekString(name string) string {
	var s string
	if raw, ok := o.m[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// integer reads an integer field. Absent optional fields return (0, false). zeroOK allows a
// present 0 (for required fields like StartIndex); an optional field's 0 is refused.
func (o *object) integer(name string, required, zeroOK bool) (int64, bool) {
	if o.r.err != nil {
		return 0, false
	}
	raw, ok := o.m[name]
	if !ok {
		if required {
			o.bad("%s%s is required", o.prefix, name)
		}
		return 0, false
	}
	n, good := parseJSONInt(raw)
	if !good {
		o.bad("%s%s must be a JSON integer", o.prefix, name)
		return 0, false
	}
	if n == 0 && !zeroOK {
		o.bad("%s%s is 0: leave an optional field out instead", o.prefix, name)
		return 0, false
	}
	return n, true
}

// parseJSONInt accepts exactly JSON's integer syntax: -?(0|[1-9][0-9]*), within int64.
func parseJSONInt(raw json.RawMessage) (int64, bool) {
	s := bytes.TrimSpace(raw)
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	return n, err == nil
}

// strList reads an array of non-empty strings. present is false when the field is absent.
func (o *object) strList(name string, required bool) (list []string, present bool) {
	if o.r.err != nil {
		return nil, false
	}
	raw, ok := o.m[name]
	if !ok {
		if required {
			o.bad("%s%s is required", o.prefix, name)
		}
		return nil, false
	}
	var items []json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &items) != nil {
		o.bad("%s%s must be an array of strings", o.prefix, name)
		return nil, false
	}
	list = make([]string, 0, len(items))
	for i, it := range items {
		var s string
		if isNull(it) || json.Unmarshal(it, &s) != nil || s == "" || !utf8.ValidString(s) {
			o.bad("%s%s[%d] must be a non-empty string", o.prefix, name, i)
			return nil, false
		}
		list = append(list, s)
	}
	return list, true
}

// obj reads a nested object.
func (o *object) obj(name string, required bool) *object {
	if o.r.err != nil {
		return nil
	}
	raw, ok := o.m[name]
	if !ok {
		if required {
			o.bad("%s%s is required", o.prefix, name)
		}
		return nil
	}
	child, good := o.child(raw, o.prefix+name+".")
	if !good {
		o.bad("%s%s must be an object", o.prefix, name)
		return nil
	}
	return child
}

// objList reads an array of objects.
func (o *object) objList(name string, required bool) []*object {
	if o.r.err != nil {
		return nil
	}
	raw, ok := o.m[name]
	if !ok {
		if required {
			o.bad("%s%s is required", o.prefix, name)
		}
		return nil
	}
	var items []json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &items) != nil {
		o.bad("%s%s must be an array of objects", o.prefix, name)
		return nil
	}
	out := make([]*object, 0, len(items))
	for i, it := range items {
		child, good := o.child(it, fmt.Sprintf("%s%s[%d].", o.prefix, name, i))
		if !good {
			o.bad("%s%s[%d] must be an object", o.prefix, name, i)
			return nil
		}
		out = append(out, child)
	}
	return out
}

func (o *object) child(raw json.RawMessage, prefix string) (*object, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	return &object{r: o.r, prefix: prefix, m: m}, true
}

// contact reads a ContactItem: Type 1 (C2C) needs To_Account and no ToGroupId, Type 2 (group)
// needs ToGroupId and no To_Account.
func (o *object) contact() (contactKey, bool) {
	typ, _ := o.integer("Type", true, false)
	acct := o.str("To_Account", false)
	grp := o.str("ToGroupId", false)
	if o.r.err != nil {
		return contactKey{}, false
	}
	switch {
	case typ == chatapi.ContactC2C && acct != "" && grp == "":
		return contactKey{typ: chatapi.ContactC2C, id: acct}, true
	case typ == chatapi.ContactGroup && grp != "" && acct == "":
		return contactKey{typ: chatapi.ContactGroup, id: grp}, true
	default:
		o.bad("%sType %d needs To_Account (Type 1) or ToGroupId (Type 2), not both", o.prefix, typ)
		return contactKey{}, false
	}
}
