package migrate

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/sources"
)

// TestVerifyFriendsReadTooBig: when sns/group_get with the friends answers 10018 (bigReadAPI,
// as the service does past 1 MB), verify reads the users as run does, group names and then
// sns/friend_get page by page, and still compares every membership: equal after a clean run,
// exactly the removed friend missing after a tamper. The summary counts the pages.
func TestVerifyFriendsReadTooBig(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(s *chatsim.State)
		want    vCounts
		rows    []string
		missing string
	}{
		{
			name: "clean run: every user matches",
			want: vCounts{checked: 4, equal: 4},
		},
		{
			name: "a friend removed from the target: exactly that friend missing",
			tamper: func(s *chatsim.State) {
				s.FriendGroups["u2"]["many"] = slices.DeleteFunc(s.FriendGroups["u2"]["many"], func(m string) bool { return m == "f0700" })
			},
			want:    vCounts{checked: 4, equal: 3, missing: 1},
			rows:    []string{"friend_groups,missing,u2,,many,f0700,To_Account,,"},
			missing: `{"From_Account":"u2","GroupName":"many","To_Account":["f0700"]}` + "\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachReading(t, false, func(t *testing.T, d chatsim.Dialect) {
				r := newVerifyRigUnder(t, d)
				runOut, out := t.TempDir(), t.TempDir()
				r.migrate(t, r.in, runOut)
				if tc.tamper != nil {
					r.sim.Tamper(tc.tamper)
				}
				api := &bigReadAPI{API: r.api}
				res, err := r.verify(t, runOut, out, api, 1)
				if err != nil {
					t.Fatal(err)
				}
				fs := res.Summary.Kinds[sources.FriendGroups]
				if got := countsOf(fs); got != tc.want {
					t.Errorf("friend groups: %+v, want %+v (unread %v)", got, tc.want, res.Unread)
				}
				if got := diffRows(t, out); !slices.Equal(got, tc.rows) {
					t.Errorf("diff.csv rows %q, want %q", got, tc.rows)
				}
				if got := readOrEmpty(filepath.Join(out, MissingFile(sources.FriendGroups))); got != tc.missing {
					t.Errorf("%s:\n%s\nwant:\n%s", MissingFile(sources.FriendGroups), got, tc.missing)
				}
				// Both users were refused whole and read in pages: u1 in one, u2's 1500
				// friends in several (100 a page, the emulator's default).
				refused, pages := int(api.refused.Load()), int(api.pages.Load())
				if refused != 2 || pages < 3 {
					t.Errorf("%d refused group_gets, %d friend_get pages; want 2 and at least 3", refused, pages)
				}
				// Each user: the refused group_get, one without friends, then the pages.
				if want := 2*refused + pages; fs.Requests != want {
					t.Errorf("friend groups: %d read requests, want %d", fs.Requests, want)
				}
			})
		})
	}
}

// endlessPagesAPI answers sns/friend_get for one user with a page that is not the last and
// points back to where it started.
type endlessPagesAPI struct {
	API
	user string
}

func (a *endlessPagesAPI) FriendGet(ctx context.Context, req *chatapi.FriendGetRequest) (*chatapi.FriendGetResponse, error) {
	resp, err := a.API.FriendGet(ctx, req)
	if err == nil && req.From_Account == a.user {
		resp.CompleteFlag, resp.NextStartIndex = 0, req.StartIndex
	}
	return resp, err
}

// TestVerifyFriendPagesEndless: a user whose sns/friend_get paging never ends is left unread,
// not compared on a partial read, and verify goes on with the others.
func TestVerifyFriendPagesEndless(t *testing.T) {
	r := newVerifyRig(t)
	runOut := t.TempDir()
	r.migrate(t, r.in, runOut)
	api := &bigReadAPI{API: &endlessPagesAPI{API: r.api, user: "u2"}}
	res, err := r.verify(t, runOut, t.TempDir(), api, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := countsOf(res.Summary.Kinds[sources.FriendGroups]), (vCounts{checked: 3, equal: 3, failed: 1}); got != want {
		t.Errorf("friend groups: %+v, want %+v", got, want)
	}
	if len(res.Unread) != 1 || res.Unread[0].Key != "u2" || !errors.Is(res.Unread[0].Err, errFriendPaging) {
		t.Fatalf("Unread = %v, want u2 with a paging error", res.Unread)
	}
	if res.Equal() {
		t.Error("Equal with a user unread")
	}
}
