package migrate

import (
	"context"
	"errors"
	"testing"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
	"github.com/chatmigrate/chatmigrate/sources"
)

// disturbedAPI answers group_get for one user with an error.
type disturbedAPI struct {
	API
	user string
	err  error
}

func (d *disturbedAPI) GroupGet(ctx context.Context, req *chatapi.GroupGetRequest) (*chatapi.GroupGetResponse, error) {
	if req.From_Account == d.user {
		return nil, d.err
	}
	return d.API.GroupGet(ctx, req)
}

func TestVerifyReadErrors(t *testing.T) {
	r := newVerifyRig(t)
	runOut := t.TempDir()
	r.migrate(t, r.in, runOut)
	tests := []struct {
		name      string
		err       error
		fatal     bool
		wantCount vCounts
	}{
		{
			name:      "a permanent refusal leaves the user unread, the others verified",
			err:       &chatapi.Error{Endpoint: chatapi.PathGroupGet, Code: chatapi.CodeSNSBadParam, Class: chatapi.ClassPermanent},
			wantCount: vCounts{checked: 1, equal: 1, failed: 1},
		},
		{
			name:      "a user that does not exist has every group missing",
			err:       &chatapi.Error{Endpoint: chatapi.PathGroupGet, Code: chatapi.CodeSNSNoAccount, Class: chatapi.ClassPermanent},
			wantCount: vCounts{checked: 4, equal: 1, missing: 3},
		},
		{
			name:  "a fatal answer stops verify",
			err:   &chatapi.Error{Endpoint: chatapi.PathGroupGet, Code: chatapi.CodeSigWrongKey, Class: chatapi.ClassFatal},
			fatal: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := &disturbedAPI{API: r.api, user: "u1", err: tc.err}
			res, err := r.verify(t, runOut, t.TempDir(), api, 1)
			var fe *pacer.FatalError
			if tc.fatal {
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a *FatalError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := countsOf(res.Summary.Kinds[sources.FriendGroups]); got != tc.wantCount {
				t.Errorf("friend groups: %+v, want %+v", got, tc.wantCount)
			}
			if res.Equal() {
				t.Error("Equal with a user unread or missing")
			}
			if tc.wantCount.failed > 0 && (len(res.Unread) != 1 || res.Unread[0].Key != "u1") {
				t.Errorf("Unread = %v", res.Unread)
			}
		})
	}
}

// TestVerifySample checks that a sample reads only the users and groups it picks: for each
// pair (two users, two Community groups) a fraction between their hash values takes exactly
// one, and the other's difference goes unseen.
func TestVerifySample(t *testing.T) {
	r := newVerifyRig(t)
	runOut := t.TempDir()
	r.migrate(t, r.in, runOut)
	r.sim.Tamper(func(s *chatsim.State) {
		delete(s.FriendGroups["u1"], "work")
		delete(s.FriendGroups["u2"], "many")
		delete(s.Topics, "@TGS#_a")
		delete(s.Topics, "@TGS#_b")
	})
	tests := []struct {
		kind sources.Kind
		a, b string // the IDs of the pair
		// what the input defines for a and b, and what of it the tampering deleted
		checkedA, checkedB, missingA, missingB int
	}{
		{sources.FriendGroups, "u1", "u2", 3, 1, 1, 1},
		{sources.Topics, "@TGS#_a", "@TGS#_b", 3, 2, 3, 2},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			va, vb := sampleValue(tc.a), sampleValue(tc.b)
			f := (va + vb) / 2
			if va == vb {
				t.Fatalf("%s and %s hash alike", tc.a, tc.b)
			}
			wantChecked, wantMissing := tc.checkedA, tc.missingA
			if va > vb {
				wantChecked, wantMissing = tc.checkedB, tc.missingB
			}
			res, err := r.verify(t, runOut, t.TempDir(), nil, f)
			if err != nil {
				t.Fatal(err)
			}
			ks := res.Summary.Kinds[tc.kind]
			if ks.Requests != 1 || ks.Checked != wantChecked || ks.Missing != wantMissing {
				t.Errorf("sample %g (values %g, %g): requests %d checked %d missing %d; want 1, %d, %d",
					f, va, vb, ks.Requests, ks.Checked, ks.Missing, wantChecked, wantMissing)
			}
		})
	}
}

// stuckPagesAPI answers get_contact_group for one user with pages that never end.
type stuckPagesAPI struct {
	API
	user string
}

func (s *stuckPagesAPI) GetContactGroup(ctx context.Context, req *chatapi.GetContactGroupRequest) (*chatapi.GetContactGroupResponse, error) {
	resp, err := s.API.GetContactGroup(ctx, req)
	if err == nil && req.From_Account == s.user {
		resp.CompleteFlag, resp.NextStartIndex = 0, req.StartIndex
	}
	return resp, err
}

func TestVerifyBadPaging(t *testing.T) {
	r := newVerifyRig(t)
	runOut := t.TempDir()
	r.migrate(t, r.in, runOut)
	res, err := r.verify(t, runOut, t.TempDir(), &stuckPagesAPI{API: r.api, user: "u2"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// u1's three groups are verified; u2 is left unread, not reported as different.
	if got, want := countsOf(res.Summary.Kinds[sources.ContactGroups]), (vCounts{checked: 3, equal: 3, failed: 1}); got != want {
		t.Errorf("contact groups: %+v, want %+v", got, want)
	}
	if len(res.Unread) != 1 || res.Unread[0].Key != "u2" || !errors.Is(res.Unread[0], errBadPaging) {
		t.Errorf("Unread = %v", res.Unread)
	}
}
