package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// uncreatedInput removes from and renames conversation groups that no row creates: u1's
// "old", which the target below has, and u2's "ghost", which it has not.
const uncreatedInput = "From_Account,GroupName,Type,To_Account,ToGroupId,Op,NewGroupName\n" +
	"u1,old,1,a,,remove,\n" +
	"u1,old,,,,rename,new\n" +
	"u2,ghost,,,,rename,spirit\n" +
	"u3,made,1,a,,,\n"

// TestUncreatedGroups is issue 13's case 8: a remove or rename of a conversation group that no
// row creates. Offline, validate reports each such row as invalid in validate_failures.csv,
// naming the group and saying that it must exist on the target; run keeps the rows, applies
// them where the target has the group and fails them with 51009 where it has not, and never
// creates the group empty.
func TestUncreatedGroups(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "contact_groups.csv")
	if err := os.WriteFile(in, []byte(uncreatedInput), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("validate", func(t *testing.T) {
		code, stdout, stderr, out := runValidate(t, "--contact-groups", in)
		if code != exitPartial {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitPartial, stdout, stderr)
		}
		got := readFile(t, filepath.Join(out, migrate.ValidateFailuresFile))
		for _, want := range []string{`"old"`, `"ghost"`, "must exist on the target", "51009"} {
			if !strings.Contains(got, want) {
				t.Errorf("validate_failures.csv lacks %q:\n%s", want, got)
			}
		}
		if n := strings.Count(got, ",invalid,"); n != 3 {
			t.Errorf("validate_failures.csv has %d invalid rows, want 3 (u1's two, u2's one):\n%s", n, got)
		}
		if strings.Contains(got, "made") {
			t.Errorf("validate_failures.csv names the group a row creates:\n%s", got)
		}
		if !strings.Contains(stderr, "ghost") {
			t.Errorf("stderr does not list the rows:\n%s", stderr)
		}
	})

	t.Run("run", func(t *testing.T) {
		world := &chatsim.World{Lenient: true, Existing: &chatsim.State{ContactGroups: map[string][]chatsim.ContactGroup{
			"u1": {{GroupName: "old", Contacts: []chatapi.ContactItem{{Type: 1, To_Account: "a"}, {Type: 1, To_Account: "b"}}}}}}}
		srv := newSimServer(t, chatsim.Config{World: world})
		out := filepath.Join(dir, "out")
		code, stdout, stderr := runCmd(t, credEnv(runKey), "--endpoint", srv.ts.URL, "--out", out, "--contact-groups", in)
		if code != exitPartial {
			t.Fatalf("exit %d, want %d (u2's rename fails)\nstdout:\n%s\nstderr:\n%s", code, exitPartial, stdout, stderr)
		}
		st := srv.sim.Dump()
		if gs := st.ContactGroups["u1"]; len(gs) != 1 || gs[0].GroupName != "new" || len(gs[0].Contacts) != 1 || gs[0].Contacts[0].To_Account != "b" {
			t.Errorf("u1's groups on the target: %+v, want \"old\" renamed \"new\" holding b alone", gs)
		}
		if gs := st.ContactGroups["u2"]; len(gs) != 0 {
			t.Errorf("u2's groups on the target: %+v, want none (the group is never created)", gs)
		}
		failures := readFile(t, filepath.Join(out, migrate.FailuresFile))
		if strings.Count(failures, "\n") != 2 || !strings.Contains(failures, "ghost") || !strings.Contains(failures, ",51009,") {
			t.Errorf("failures.csv, want u2's rename alone, failed with 51009:\n%s", failures)
		}
		if strings.Contains(failures, ",invalid,") {
			t.Errorf("run counted a row invalid:\n%s", failures)
		}
	})
}
