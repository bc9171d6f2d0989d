package synth

import (
	"context"
	"io"
	"strconv"

	"github.com/chatmigrate/chatmigrate/sources"
)

// friendGroupNames are the bases of generated friend-group names: Chinese, emoji (one a
// 4-codepoint ZWJ family of 18 bytes) and ASCII. With " NN" appended each stays within the
// 30 bytes a friend-group name allows; the longest reaches exactly 30.
var friendGroupNames = []string{
	"家人", "同事", "大学同学", "高中同学", "Close friends", "Work", "Gym buddies 💪", "游戏好友🎮",
	"邻居", "家长群👨‍👩‍👧", "Book club 📚", "特别关心", "客户", "前同事", "旅行搭子✈️", "Family",
}

// jsonlChunk is how many members one JSONL line carries at most: larger groups span several
// lines of the same (user, group), which the reader merges.
const jsonlChunk = 100

// friendIDSpace is how many accounts friends are drawn from: more than a user's 3000
// friends, so that a user's friend list holds distinct accounts other than the user.
func friendIDSpace(users int) int { return max(users, 2*MaxFriendRowsPerUser) }

// WriteFriendGroups writes cfg.FriendMemberships friend-group memberships over cfg.Users users
// in cfg.Format (the friend-groups format of docs/contract.md, "Input formats").
func WriteFriendGroups(ctx context.Context, w io.Writer, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	lw, err := newLineWriter(w, cfg.Format, []string{"From_Account", "GroupName", "To_Account"})
	if err != nil {
		return err
	}
	quota := allocate(cfg.FriendMemberships, cfg.Users, MaxFriendRowsPerUser, friendSkew, cfg.Seed, saltFriends)
	space := friendIDSpace(cfg.Users)
	open := func(u int) owner {
		if quota[u] == 0 {
			return nil
		}
		return newFriendUser(cfg.Seed, u, int(quota[u]), space)
	}
	return drain(ctx, lw, cfg.Users, cfg.Sorted, newRand(cfg.Seed, saltFriends|saltWindow, 0), open)
}

// friendUser is one user's friend groups, written group by group.
type friendUser struct {
	id      string
	u       int
	space   int
	groups  []memberSet
	friends int // length of the friend list the groups draw from
	g, m    int // next group, next member in it
	members []string
}

func newFriendUser(seed int64, u, rows, space int) *friendUser {
	rng := newRand(seed, saltFriends|saltOwner, u)
	// A tenth of the users keep an empty group or two (each one row: its declaration).
	empties := 0
	if rows >= 3 && rng.IntN(10) == 0 {
		empties = 1 + rng.IntN(2)
	} else if rows == 1 && rng.IntN(20) == 0 {
		empties = 1
	}
	rows -= empties
	sets := 1 + rng.IntN(4)
	if rows > 200 {
		sets = min(24, 2+rows/500+rng.IntN(6))
	}
	// A quarter of the users have groups with identical member sets (e.g. "family" and
	// "close friends" holding the same people), which one request can fill together.
	dups := 0
	if rng.IntN(4) == 0 {
		dups = 1 + rng.IntN(3)
	}
	groups, friends := layout(rng, rows, sets, dups, MaxFriendRowsPerUser/2, MaxFriendRowsPerUser/2)
	for range empties {
		groups = append(groups, memberSet{})
	}
	base := rng.IntN(len(friendGroupNames))
	for k := range groups {
		groups[k].name = friendGroupNames[(base+k)%len(friendGroupNames)] + " " + strconv.Itoa(k+1)
	}
	return &friendUser{id: account(u), u: u, space: space, groups: groups, friends: friends,
		members: make([]string, 0, jsonlChunk)} // non-nil: an empty group is written "To_Account":[]
}

// friend returns the account of friend j (0 <= j < friends): distinct for distinct j, never
// the user itself.
func (f *friendUser) friend(j int) string { return account((f.u + 1 + j) % f.space) }

func (f *friendUser) emit(lw *lineWriter) (bool, error) {
	grp := f.groups[f.g]
	if lw.format == sources.CSV {
		to := ""
		if grp.size > 0 {
			to = f.friend((grp.off + f.m) % f.friends)
		}
		lw.rec = append(lw.rec[:0], f.id, grp.name, to)
		if err := lw.row(); err != nil {
			return false, err
		}
		f.m++
	} else {
		f.members = f.members[:0]
		for n := 0; n < jsonlChunk && f.m < grp.size; n++ {
			f.members = append(f.members, f.friend((grp.off+f.m)%f.friends))
			f.m++
		}
		line := struct {
			From_Account string
			GroupName    string
			To_Account   []string
		}{f.id, grp.name, f.members}
		if err := lw.object(line); err != nil {
			return false, err
		}
		if grp.size == 0 {
			f.m++
		}
	}
	if f.m >= grp.size {
		f.g, f.m = f.g+1, 0
	}
	return f.g < len(f.groups), nil
}
