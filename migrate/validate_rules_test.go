package migrate

import (
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/sources"
)

// wantIssue checks issues against a table row: none when field is "", else the first names
// field and its reason holds reason.
func wantIssue(t *testing.T, issues []issue, field, reason string) {
	t.Helper()
	switch {
	case field == "" && len(issues) > 0:
		t.Errorf("refused: %+v, want valid", issues)
	case field == "":
	case len(issues) == 0:
		t.Errorf("valid, want %s refused for %q", field, reason)
	case issues[0].field != field || !strings.Contains(issues[0].reason, reason):
		t.Errorf("issue %+v, want %s refused for %q", issues[0], field, reason)
	}
}

// TestGroupConversationIDs: a group conversation's ToGroupId may be one the vendor assigned,
// a Community's, or one the app chose: printable ASCII of at most 48 bytes (issue 11, item
// 1: apps that imported their groups with their own IDs lost every group conversation).
func TestGroupConversationIDs(t *testing.T) {
	for _, tc := range []struct {
		name, id      string
		field, reason string // "": valid
	}{
		{"vendor-assigned", "@TGS#2J4SZEAEL", "", ""},
		{"a Community's", "@TGS#_team", "", ""},
		{"custom", "team-42", "", ""},
		{"custom with a space inside", "my team", "", ""},
		{"custom, one letter", "g", "", ""},
		{"custom of 48 bytes", strings.Repeat("x", 48), "", ""},
		{"custom of 49 bytes", strings.Repeat("x", 49), "ToGroupId", "too long for a custom group ID: 49 bytes, at most 48"},
		{"not ASCII", "团队", "ToGroupId", "byte 1 is not printable ASCII"},
		{"the prefix alone", "@TGS#", "ToGroupId", "the rest of the group ID is missing"},
		{"the Community prefix alone", "@TGS#_", "ToGroupId", "the rest of the group ID is missing"},
		{"trailing space", "team-42 ", "ToGroupId", "white space"},
		{"leading space", " @TGS#_team", "ToGroupId", "white space"},
		{"empty", "", "ToGroupId", "required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issues, ci := contactIssues(&sources.Contact{Type: "2", ToGroupId: tc.id})
			wantIssue(t, issues, tc.field, tc.reason)
			if len(issues) == 0 && ci.ToGroupId != tc.id {
				t.Errorf("sent as %q, want %q unchanged", ci.ToGroupId, tc.id)
			}
		})
	}
}

// TestTopicIDForms: a custom TopicId is {GroupId}@TOPIC#_{custom}, printable ASCII, at most
// 96 bytes, the custom part without @TGS#_; one of the vendor's own form (…@TOPIC#_@TOPIC#…)
// is refused, saying why; a custom part that holds @TOPIC#_ otherwise is legal (item 7).
func TestTopicIDForms(t *testing.T) {
	const g = "@TGS#_g"
	for _, tc := range []struct {
		name, id      string
		field, reason string
	}{
		{"custom", g + "@TOPIC#_news", "", ""},
		{"custom part holding the marker", g + "@TOPIC#_a@TOPIC#_b", "", ""},
		{"custom part ending in the marker", g + "@TOPIC#_a@TOPIC#_", "", ""},
		{"96 bytes", g + "@TOPIC#_" + strings.Repeat("x", 96-len(g)-8), "", ""},
		{"97 bytes", g + "@TOPIC#_" + strings.Repeat("x", 97-len(g)-8), "TopicId", "too long: 97 bytes"},
		{"the vendor's form", g + "@TOPIC#_@TOPIC#cTCCABCDEFG", "TopicId", "a TopicId the vendor assigned"},
		{"the vendor's form after a custom start", g + "@TOPIC#_a@TOPIC#_@TOPIC#b", "TopicId", "a TopicId the vendor assigned"},
		{"the Community prefix in the custom part", g + "@TOPIC#_@TGS#_x", "TopicId", "must not contain @TGS#_"},
		{"another group's", "@TGS#_h@TOPIC#_x", "TopicId", "must be the GroupId followed by @TOPIC#_"},
		{"no custom part", g + "@TOPIC#_", "TopicId", "empty suffix"},
		{"not ASCII", g + "@TOPIC#_话题", "TopicId", "not printable ASCII"},
		{"trailing space", g + "@TOPIC#_x ", "TopicId", "white space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issues, req := validateTopic(&sources.Topic{GroupId: g, TopicId: tc.id, TopicName: "t"}, testNow.Unix())
			wantIssue(t, issues, tc.field, tc.reason)
			if len(issues) == 0 && req.TopicId != tc.id {
				t.Errorf("sent as %q, want %q", req.TopicId, tc.id)
			}
		})
	}
}

// TestUserIDLength: a UserID has at most 32 bytes, wherever it appears (item 9).
func TestUserIDLength(t *testing.T) {
	ok, long := strings.Repeat("u", 32), strings.Repeat("u", 33)
	checks := map[string]func(id string) []issue{
		"friend From_Account": func(id string) []issue {
			return friendRecordIssues(&sources.FriendGroup{From_Account: id, GroupName: "g"})
		},
		"friend To_Account": func(id string) []issue {
			if is := friendIssue(&sources.FriendGroup{From_Account: "a", GroupName: "g"}, id); is != nil {
				return []issue{*is}
			}
			return nil
		},
		"contact From_Account": func(id string) []issue {
			return contactRecordIssues(&sources.ContactGroup{From_Account: id, GroupName: "g"})
		},
		"contact To_Account": func(id string) []issue {
			issues, _ := contactIssues(&sources.Contact{Type: "1", To_Account: id})
			return issues
		},
		"topic From_Account": func(id string) []issue {
			issues, _ := validateTopic(&sources.Topic{GroupId: "@TGS#_g", TopicName: "t", From_Account: id}, testNow.Unix())
			return issues
		},
	}
	for name, check := range checks {
		t.Run(name, func(t *testing.T) {
			field := name[strings.IndexByte(name, ' ')+1:]
			wantIssue(t, check(ok), "", "")
			wantIssue(t, check(long), field, "too long: 33 bytes of UTF-8, at most 32")
		})
	}
}

// TestEdgeSpace: IDs and names that begin or end with white space are invalid rows, never
// trimmed: "li.wei " and "li.wei" would be two users (item 9). Free text keeps its spaces.
func TestEdgeSpace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		issues func() []issue
		field  string // "": valid
	}{
		{"user with a trailing space", func() []issue {
			return friendRecordIssues(&sources.FriendGroup{From_Account: "li.wei ", GroupName: "g"})
		}, "From_Account"},
		{"friend with a leading em space", func() []issue {
			return []issue{*friendIssue(&sources.FriendGroup{From_Account: "a", GroupName: "g"}, "\u2003bob")}
		}, "To_Account"},
		{"friend group name with an ideographic space", func() []issue {
			return friendRecordIssues(&sources.FriendGroup{From_Account: "a", GroupName: "朋友\u3000"})
		}, "GroupName"},
		{"conversation group name with a no-break space", func() []issue {
			return contactRecordIssues(&sources.ContactGroup{From_Account: "a", GroupName: "\u00a0work"})
		}, "GroupName"},
		{"new name of a rename", func() []issue {
			return contactRecordIssues(&sources.ContactGroup{From_Account: "a", GroupName: "x", Op: "rename", NewGroupName: "y "})
		}, "NewGroupName"},
		{"C2C conversation", func() []issue {
			issues, _ := contactIssues(&sources.Contact{Type: "1", To_Account: "bob "})
			return issues
		}, "To_Account"},
		{"Community", func() []issue {
			issues, _ := validateTopic(&sources.Topic{GroupId: "@TGS#_g ", TopicName: "t"}, testNow.Unix())
			return issues
		}, "GroupId"},
		{"topic name", func() []issue {
			issues, _ := validateTopic(&sources.Topic{GroupId: "@TGS#_g", TopicName: " news"}, testNow.Unix())
			return issues
		}, "TopicName"},
		{"spaces inside are fine", func() []issue {
			return friendRecordIssues(&sources.FriendGroup{From_Account: "li wei", GroupName: "old friends"})
		}, ""},
		{"free text keeps its spaces", func() []issue {
			issues, _ := validateTopic(&sources.Topic{GroupId: "@TGS#_g", TopicName: "t", Notification: " hello\n",
				Introduction: "\tintro ", CustomString: " x "}, testNow.Unix())
			return issues
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantIssue(t, tc.issues(), tc.field, "begins or ends with white space")
		})
	}
}

// TestEdgeSpaceRow: a row whose user ends with a space is reported with the field named and
// the value shown as it is, and is not planned (item 9).
func TestEdgeSpaceRow(t *testing.T) {
	_, probs := planOf(t, map[string]string{"friend_groups.csv": "From_Account,GroupName,To_Account\nli.wei ,g,bob\nli.wei,g,bob\n"}, PlanOptions{})
	if len(probs) != 1 {
		t.Fatalf("problems %v, want the one of line 2", probs)
	}
	p := probs[0]
	if p.Warning || p.Pos.Line != 2 || p.Field != "From_Account" || p.Excerpt != "li.wei " || !strings.Contains(p.Reason, "white space") {
		t.Errorf("problem %+v, want line 2's From_Account refused with its excerpt", p)
	}
}

// TestContactGroupNameLength: the error list allows 32 bytes, the newer create and update
// pages 64: names in between are accepted with a warning, longer ones are invalid (item 9).
func TestContactGroupNameLength(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int // bytes of the group name
		op      string
		warning bool // accepted with a warning
		invalid bool
	}{
		{"32 bytes", 32, "", false, false},
		{"33 bytes", 33, "", true, false},
		{"64 bytes", 64, "", true, false},
		{"65 bytes", 65, "", false, true},
		{"a rename to 40 bytes", 40, "rename", true, false},
		{"a rename to 65 bytes", 65, "rename", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			long := strings.Repeat("n", tc.n)
			row := "u," + long + ",1,bob,,,\n"
			if tc.op == "rename" {
				row = "u,g,1,bob,,,\nu,g,,,,rename," + long + "\n"
			}
			p, probs := planOf(t, map[string]string{"contact_groups.csv": "From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n" + row}, PlanOptions{})
			st := p.Stats[sources.ContactGroups]
			var warnings, invalid []Problem
			for _, pr := range probs {
				if pr.Warning {
					warnings = append(warnings, pr)
				} else {
					invalid = append(invalid, pr)
				}
			}
			if tc.warning != (len(warnings) == 1) || tc.invalid != (len(invalid) == 1) || len(probs) > 1 {
				t.Fatalf("problems %v, want warning %v, invalid %v", probs, tc.warning, tc.invalid)
			}
			if tc.warning {
				w := warnings[0]
				if w.Excerpt != sources.Excerpt(long) || !strings.Contains(w.Reason, "allows 32, its create and update pages 64") || st.Warnings != 1 || st.Invalid != 0 {
					t.Errorf("warning %+v, stats %+v", w, st)
				}
			}
			if tc.invalid && !strings.Contains(invalid[0].Reason, "at most 64") {
				t.Errorf("problem %+v, want too long, at most 64", invalid[0])
			}
		})
	}
}
