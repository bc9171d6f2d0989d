package chatsim_test

import (
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

func TestPresets(t *testing.T) {
	d := chatsim.Dialects()
	if got := strings.Join(chatsim.DialectNames(), " "); got != "default silent strictest" {
		t.Fatalf("presets %q", got)
	}
	tests := []struct {
		name string
		got  chatsim.Dialect
		want chatsim.Dialect
	}{
		{"default is the first reading of each", d["default"], chatsim.Dialect{
			GroupAddExisting: "merge", FriendUpdateGroups: "replace", FriendUpdateUnknownGroup: "refuse",
			CreateExisting: "refuse", RepeatAddAbsentRemove: "ok", LostAnswer: "applied"}},
		{"strictest", d["strictest"], chatsim.Dialect{
			GroupAddExisting: "refuse", FriendUpdateGroups: "replace", FriendUpdateUnknownGroup: "refuse",
			CreateExisting: "duplicate", ContactItemRequired: true, RepeatAddAbsentRemove: "error",
			GroupItemFirstPageOnly: true, LostAnswer: "mixed"}},
		{"silent", d["silent"], chatsim.Dialect{
			GroupAddExisting: "ignore", FriendUpdateGroups: "add", FriendUpdateUnknownGroup: "create",
			CreateExisting: "50002", RepeatAddAbsentRemove: "ok", LostAnswer: "mixed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %+v\nwant %+v", tt.got, tt.want)
			}
			// The text form reads back as the same dialect.
			back, err := chatsim.ParseDialect(tt.got.String())
			if err != nil || back.String() != tt.got.String() {
				t.Fatalf("ParseDialect(%q) = %v, %v", tt.got.String(), back, err)
			}
		})
	}
}

func TestParseDialect(t *testing.T) {
	tests := []struct {
		spec    string
		want    string // a substring of the result's String, or of the error
		wantErr bool
	}{
		{"strictest", "group-add-existing=refuse,", false},
		{"silent,lost-answer=nothing", "lost-answer=nothing", false},
		{"create-existing=duplicate", "group-add-existing=merge,friend-update-groups=replace,friend-update-unknown-group=refuse,create-existing=duplicate", false},
		{"default, contact-page-size=7 ,group-item-first-page-only=true", "group-item-first-page-only=true,contact-page-size=7", false},
		{"contact-item-required=true", "contact-item-required=true", false},
		{"nosuch", "not a preset", true},
		{"lost-answer=nothing,strictest", "not a preset", true},
		{"lost-answer=sometimes", `"sometimes" is not one of applied, nothing, mixed`, true},
		{"contact-page-size=0", "not a positive integer", true},
		{"contact-item-required=maybe", "not true or false", true},
		{"colour=blue", "unknown dialect option", true},
		{"", "not a preset", true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			d, err := chatsim.ParseDialect(tt.spec)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			got := d.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestDialectOptionsCoverEveryField(t *testing.T) {
	opts := chatsim.DialectOptions()
	if len(opts) != 10 {
		t.Fatalf("%d options", len(opts))
	}
	var d chatsim.Dialect
	for _, o := range opts {
		v := "3"
		if len(o.Values) > 0 {
			v = o.Values[len(o.Values)-1] // a reading other than the default
		}
		if err := d.Set(o.Name, v); err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		if !strings.Contains(d.String(), o.Name+"="+v) {
			t.Fatalf("%s=%s not in %s", o.Name, v, d)
		}
	}
	want := chatsim.Dialect{GroupAddExisting: "ignore", FriendUpdateGroups: "add", FriendUpdateUnknownGroup: "create",
		CreateExisting: "50002", ContactItemRequired: true, RepeatAddAbsentRemove: "error", GroupItemFirstPageOnly: true,
		ContactPageSize: 3, FriendPageSize: 3, LostAnswer: "mixed"}
	if d != want {
		t.Fatalf("%+v", d)
	}
}

// TestDialectPrecedence: Config.Dialect wins whole when set; otherwise the World's applies;
// a bad reading is refused by New and by ParseWorld.
func TestDialectPrecedence(t *testing.T) {
	world := &chatsim.World{Lenient: true, Dialect: chatsim.Dialect{CreateExisting: "duplicate"}}
	tests := []struct {
		name string
		cfg  chatsim.Config
		want string
	}{
		{"nothing set", chatsim.Config{}, "create-existing=refuse"},
		{"world", chatsim.Config{World: world}, "create-existing=duplicate"},
		{"config beats world", chatsim.Config{World: world, Dialect: chatsim.DialectDefault()}, "create-existing=refuse"},
		{"config page size", chatsim.Config{PageSize: 4}, "contact-page-size=4"},
		{"dialect page size beats config", chatsim.Config{PageSize: 4, Dialect: chatsim.Dialect{ContactPageSize: 9}}, "contact-page-size=9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			if got := h.srv.Dialect().String(); !strings.Contains(got, tt.want) {
				t.Fatalf("dialect %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := chatsim.New(chatsim.Config{SDKAppID: 1, Key: "k", Dialect: chatsim.Dialect{LostAnswer: "half"}}); err == nil {
		t.Fatal("New accepted LostAnswer half")
	}
	for _, bad := range []string{`{"Dialect":{"GroupAddExisting":"maybe"}}`, `{"Dialect":{"Colour":"blue"}}`, `{"Dialect":{"ContactPageSize":-1}}`} {
		if _, err := chatsim.ParseWorld([]byte(bad)); err == nil {
			t.Fatalf("ParseWorld accepted %s", bad)
		}
	}
	w, err := chatsim.ParseWorld([]byte(`{"Lenient":true,"Dialect":{"GroupAddExisting":"refuse","ContactItemRequired":true}}`))
	if err != nil || w.Dialect != (chatsim.Dialect{GroupAddExisting: "refuse", ContactItemRequired: true}) {
		t.Fatalf("world dialect %+v, %v", w, err)
	}
}
