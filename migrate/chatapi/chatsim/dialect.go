package chatsim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Dialect picks one reading of each question the vendor's pages leave open
// (docs/vendor-api.md, "What the vendor leaves open"). The zero value of every option is its
// first reading, the default; a migration that is right under every Dialect does not depend on
// how the real service reads its own documentation.
//
// JSON form (a World's "Dialect" field): the field names below with the values listed, e.g.
//
//	{"GroupAddExisting": "refuse", "CreateExisting": "duplicate", "LostAnswer": "mixed"}
type Dialect struct {
	// GroupAddExisting is what sns/group_add does with a GroupName the user already has
	// (question 1): "merge" (default) puts the listed friends in; "refuse" refuses the whole
	// request with 30001 and changes nothing; "ignore" answers OK and leaves that group as it
	// was, while new groups of the same request are created and filled.
	GroupAddExisting string `json:"GroupAddExisting,omitempty"`
	// FriendUpdateGroups is what sns/friend_update's Tag_SNS_IM_Group does with the friend's
	// groups (question 2): "replace" (default) sets them to the list; "add" adds the list.
	FriendUpdateGroups string `json:"FriendUpdateGroups,omitempty"`
	// FriendUpdateUnknownGroup is what it does with a name the user has no group of:
	// "refuse" (default) fails that friend's item with 30001; "create" creates the group,
	// which counts toward the 32 a user may have (past them the item fails with 30011).
	FriendUpdateUnknownGroup string `json:"FriendUpdateUnknownGroup,omitempty"`
	// CreateExisting is what create_contact_group (and a rename) does with a name the user
	// already has (question 3): "refuse" (default) answers 51012, on purpose a code the
	// vendor's list gives another meaning (the pinned-conversation limit), so that a client
	// reading it as "exists" is caught; "duplicate" makes a second group of that name with a
	// new GroupId; "50002" refuses with 50002.
	CreateExisting string `json:"CreateExisting,omitempty"`
	// ContactItemRequired makes create_contact_group without a ContactItem field answer 50002
	// (question 4); an empty list is accepted either way.
	ContactItemRequired bool `json:"ContactItemRequired,omitempty"`
	// RepeatAddAbsentRemove is the item ResultCode of adding a conversation a group already
	// holds, or deleting one it does not (question 5): "ok" (default) 0; "error" 50002 (the
	// group is left as it is either way).
	RepeatAddAbsentRemove string `json:"RepeatAddAbsentRemove,omitempty"`
	// GroupItemFirstPageOnly makes get_contact_group list GroupItem only on the page that
	// starts at 0 (question 6); by default it comes on every page.
	GroupItemFirstPageOnly bool `json:"GroupItemFirstPageOnly,omitempty"`
	// ContactPageSize is get_contact_group's page size in conversations (question 6);
	// 0 = Config.PageSize, or 100.
	ContactPageSize int `json:"ContactPageSize,omitempty"`
	// FriendPageSize is sns/friend_get's page size (undocumented by the vendor); 0 = 100.
	FriendPageSize int `json:"FriendPageSize,omitempty"`
	// LostAnswer is what a request did whose answer the fault injection drops (question 7):
	// "applied" (default) all of it; "nothing" none of it; "mixed" one or the other, drawn
	// from the seed per request.
	LostAnswer string `json:"LostAnswer,omitempty"`
}

// The readings of the string options; the first of each group is the default.
const (
	GroupAddMerge  = "merge"
	GroupAddRefuse = "refuse"
	GroupAddIgnore = "ignore"

	FriendGroupsReplace = "replace"
	FriendGroupsAdd     = "add"

	UnknownGroupRefuse = "refuse"
	UnknownGroupCreate = "create"

	CreateExistingRefuse    = "refuse"
	CreateExistingDuplicate = "duplicate"
	CreateExisting50002     = "50002"

	RepeatOK    = "ok"
	RepeatError = "error"

	LostApplied = "applied"
	LostNothing = "nothing"
	LostMixed   = "mixed"
)

// Default page sizes of the paged reads.
const (
	defaultContactPageSize = 100
	defaultFriendPageSize  = 100
)

// DialectDefault is the first reading of every question, spelt out, so that it also
// overrides a World's Dialect when given as Config.Dialect.
func DialectDefault() Dialect {
	return Dialect{
		GroupAddExisting: GroupAddMerge, FriendUpdateGroups: FriendGroupsReplace,
		FriendUpdateUnknownGroup: UnknownGroupRefuse, CreateExisting: CreateExistingRefuse,
		RepeatAddAbsentRemove: RepeatOK, LostAnswer: LostApplied,
	}
}

// DialectStrictest is the reading under which a careless client loses the most: group_add on
// an existing name refused, friend_update replacing and refusing unknown names, a second
// conversation group of the same name, ContactItem required, repeated adds and absent
// removes failing, GroupItem only on the first page, lost answers of both kinds.
func DialectStrictest() Dialect {
	return Dialect{
		GroupAddExisting: GroupAddRefuse, FriendUpdateGroups: FriendGroupsReplace,
		FriendUpdateUnknownGroup: UnknownGroupRefuse, CreateExisting: CreateExistingDuplicate,
		ContactItemRequired: true, RepeatAddAbsentRemove: RepeatError,
		GroupItemFirstPageOnly: true, LostAnswer: LostMixed,
	}
}

// DialectSilent is the reading under which mistakes go unnoticed: group_add on an existing
// name answers OK and changes nothing, friend_update adds and creates, create on an existing
// name answers 50002, lost answers of both kinds.
func DialectSilent() Dialect {
	return Dialect{
		GroupAddExisting: GroupAddIgnore, FriendUpdateGroups: FriendGroupsAdd,
		FriendUpdateUnknownGroup: UnknownGroupCreate, CreateExisting: CreateExisting50002,
		RepeatAddAbsentRemove: RepeatOK, LostAnswer: LostMixed,
	}
}

// Dialects returns the named presets, "default", "strictest" and "silent", for tests and
// command lines that run under each.
func Dialects() map[string]Dialect {
	return map[string]Dialect{
		"default":   DialectDefault(),
		"strictest": DialectStrictest(),
		"silent":    DialectSilent(),
	}
}

// DialectNames returns the presets' names, sorted.
func DialectNames() []string { return slices.Sorted(maps.Keys(Dialects())) }

// DialectOption describes one option of a Dialect for a command line: chatsim makes a flag of
// each, and ParseDialect accepts each as name=value.
type DialectOption struct {
	Name   string   // e.g. "group-add-existing"
	Field  string   // the Dialect field and JSON key, e.g. "GroupAddExisting"
	Values []string // the readings, the default first; nil for a number
	Usage  string
}

// optionBinding ties an option to its field.
type optionBinding struct {
	DialectOption
	field func(d *Dialect) any // *string, *bool or *int
}

// dialectOptions binds each option to its field, in the order -h lists them.
func dialectOptions() []optionBinding {
	return []optionBinding{
		{DialectOption{"group-add-existing", "GroupAddExisting", []string{GroupAddMerge, GroupAddRefuse, GroupAddIgnore},
			"sns/group_add naming a group the user has: merge the friends in, refuse the request, or answer OK and change nothing"},
			func(d *Dialect) any { return &d.GroupAddExisting }},
		{DialectOption{"friend-update-groups", "FriendUpdateGroups", []string{FriendGroupsReplace, FriendGroupsAdd},
			"sns/friend_update's Tag_SNS_IM_Group replaces the friend's groups or adds to them"},
			func(d *Dialect) any { return &d.FriendUpdateGroups }},
		{DialectOption{"friend-update-unknown-group", "FriendUpdateUnknownGroup", []string{UnknownGroupRefuse, UnknownGroupCreate},
			"sns/friend_update naming a group the user does not have: refuse the item, or create the group"},
			func(d *Dialect) any { return &d.FriendUpdateUnknownGroup }},
		{DialectOption{"create-existing", "CreateExisting", []string{CreateExistingRefuse, CreateExistingDuplicate, CreateExisting50002},
			"create_contact_group with a name the user has: refuse with 51012, make a second group, or refuse with 50002"},
			func(d *Dialect) any { return &d.CreateExisting }},
		{DialectOption{"contact-item-required", "ContactItemRequired", []string{"false", "true"},
			"create_contact_group without ContactItem answers 50002"},
			func(d *Dialect) any { return &d.ContactItemRequired }},
		{DialectOption{"repeat-add-absent-remove", "RepeatAddAbsentRemove", []string{RepeatOK, RepeatError},
			"item ResultCode of adding a conversation already in the group or deleting one not in it: 0 or 50002"},
			func(d *Dialect) any { return &d.RepeatAddAbsentRemove }},
		{DialectOption{"group-item-first-page-only", "GroupItemFirstPageOnly", []string{"false", "true"},
			"get_contact_group lists GroupItem only on the first page"},
			func(d *Dialect) any { return &d.GroupItemFirstPageOnly }},
		{DialectOption{"contact-page-size", "ContactPageSize", nil,
			"conversations per get_contact_group page (default 100)"},
			func(d *Dialect) any { return &d.ContactPageSize }},
		{DialectOption{"friend-page-size", "FriendPageSize", nil,
			"friends per sns/friend_get page (default 100)"},
			func(d *Dialect) any { return &d.FriendPageSize }},
		{DialectOption{"lost-answer", "LostAnswer", []string{LostApplied, LostNothing, LostMixed},
			"what a request whose answer is dropped (the ambiguous fault) did: all of it, nothing, or either by seed"},
			func(d *Dialect) any { return &d.LostAnswer }},
	}
}

// DialectOptions lists the options in a fixed order.
func DialectOptions() []DialectOption {
	opts := dialectOptions()
	out := make([]DialectOption, len(opts))
	for i, o := range opts {
		out[i] = o.DialectOption
	}
	return out
}

// Set sets the option called name (DialectOption.Name) from its text form.
func (d *Dialect) Set(name, value string) error {
	for _, o := range dialectOptions() {
		if o.Name != name {
			continue
		}
		switch p := o.field(d).(type) {
		case *string:
			if !slices.Contains(o.Values, value) {
				return fmt.Errorf("dialect option %s: %q is not one of %s", name, value, strings.Join(o.Values, ", "))
			}
			*p = value
		case *bool:
			b, err := strconv.ParseBool(value)
			if err != nil {
				return fmt.Errorf("dialect option %s: %q is not true or false", name, value)
			}
			*p = b
		case *int:
			n, err := strconv.Atoi(value)
			if err != nil || n <= 0 {
				return fmt.Errorf("dialect option %s: %q is not a positive integer", name, value)
			}
			*p = n
		}
		return nil
	}
	return fmt.Errorf("unknown dialect option %q", name)
}

// ParseDialect reads a preset's name, optionally followed by options, all separated by
// commas: "strictest", "default,lost-answer=nothing", or options alone ("create-existing=
// duplicate", on top of the default). It lets a command line select a dialect in one value.
func ParseDialect(spec string) (Dialect, error) {
	d := DialectDefault()
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		name, value, isOption := strings.Cut(part, "=")
		if !isOption {
			preset, ok := Dialects()[part]
			if !ok || i > 0 {
				return Dialect{}, fmt.Errorf("dialect %q: %q is not a preset (%s) first, nor name=value", spec, part, strings.Join(DialectNames(), ", "))
			}
			d = preset
			continue
		}
		if err := d.Set(strings.TrimSpace(name), strings.TrimSpace(value)); err != nil {
			return Dialect{}, fmt.Errorf("dialect %q: %w", spec, err)
		}
	}
	return d, nil
}

// String gives the dialect in ParseDialect's form, every option spelt out.
func (d Dialect) String() string {
	n, err := d.normalize()
	if err != nil {
		return "invalid dialect: " + err.Error()
	}
	var parts []string
	for _, o := range dialectOptions() {
		parts = append(parts, fmt.Sprintf("%s=%v", o.Name, deref(o.field(&n))))
	}
	return strings.Join(parts, ",")
}

// deref reads the value an option's field pointer points at.
func deref(p any) any {
	switch p := p.(type) {
	case *string:
		return *p
	case *bool:
		return *p
	case *int:
		return *p
	}
	return nil
}

// normalize checks every option and fills in the defaults.
func (d Dialect) normalize() (Dialect, error) {
	for _, o := range dialectOptions() {
		switch p := o.field(&d).(type) {
		case *string:
			if *p == "" {
				*p = o.Values[0]
			} else if !slices.Contains(o.Values, *p) {
				return d, fmt.Errorf("dialect: %s %q is not one of %s", o.Field, *p, strings.Join(o.Values, ", "))
			}
		case *int:
			if *p < 0 {
				return d, fmt.Errorf("dialect: %s %d is negative", o.Field, *p)
			}
		}
	}
	if d.ContactPageSize == 0 {
		d.ContactPageSize = defaultContactPageSize
	}
	if d.FriendPageSize == 0 {
		d.FriendPageSize = defaultFriendPageSize
	}
	return d, nil
}
