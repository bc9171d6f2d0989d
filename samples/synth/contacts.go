package synth

import (
	"context"
	"io"
	"strconv"

	"github.com/chatmigrate/chatmigrate/sources"
)

// contactGroupNames are the bases of generated conversation-group names; with " NN" appended
// each stays within the 32 bytes a conversation-group name allows.
var contactGroupNames = []string{
	"置顶", "工作群", "家庭", "Projects 🚀", "未读重要", "Customers", "学习资料📖", "运营同步",
	"Support tickets", "朋友们🍻", "项目-2024", "Vendors",
}

// WriteContactGroups writes cfg.ContactMemberships conversation-group memberships over
// cfg.Users users in cfg.Format (the conversation-groups format of docs/contract.md,
// "Input formats"): adds only, a mix of C2C (Type 1) and group (Type 2) conversations.
func WriteContactGroups(ctx context.Context, w io.Writer, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	lw, err := newLineWriter(w, cfg.Format, []string{"From_Account", "GroupName", "Type", "To_Account", "ToGroupId"})
	if err != nil {
		return err
	}
	quota := allocate(cfg.ContactMemberships, cfg.Users, MaxContactRowsPerUser, contactSkew, cfg.Seed, saltContacts)
	space := friendIDSpace(cfg.Users)
	open := func(u int) owner {
		if quota[u] == 0 {
			return nil
		}
		return newContactUser(cfg.Seed, u, int(quota[u]), space)
	}
	return drain(ctx, lw, cfg.Users, cfg.Sorted, newRand(cfg.Seed, saltContacts|saltWindow, 0), open)
}

// contactItem is a conversation as the JSONL of docs/contract.md, "Input formats", writes it.
type contactItem struct {
	Type       int
	To_Account string `json:",omitempty"`
	ToGroupId  string `json:",omitempty"`
}

// contactUser is one user's conversation groups, written group by group.
type contactUser struct {
	id     string
	u      int
	space  int
	groups []memberSet
	convs  int // length of the conversation list the groups draw from
	g, m   int
	items  []contactItem
}

func newContactUser(seed int64, u, rows, space int) *contactUser {
	rng := newRand(seed, saltContacts|saltOwner, u)
	sets := 1 + rng.IntN(3)
	if rows > 100 {
		sets = min(16, 2+rows/300+rng.IntN(3))
	}
	dups := 0
	if rng.IntN(8) == 0 {
		dups = 1 + rng.IntN(2)
	}
	// At most 16 sets and 2 copies: within the 20 groups a user may have.
	groups, convs := layout(rng, rows, sets, dups, 1000, 3000)
	base := rng.IntN(len(contactGroupNames))
	for k := range groups {
		groups[k].name = contactGroupNames[(base+k)%len(contactGroupNames)] + " " + strconv.Itoa(k+1)
	}
	return &contactUser{id: account(u), u: u, space: space, groups: groups, convs: convs,
		items: make([]contactItem, 0, jsonlChunk)}
}

// conv returns conversation j of the user's list: one in four a group conversation. Distinct
// j give distinct conversations.
func (c *contactUser) conv(j int) contactItem {
	if j%4 == 3 {
		return contactItem{Type: 2, ToGroupId: chatGroup((c.u + j) % c.space)}
	}
	return contactItem{Type: 1, To_Account: account((c.u + 1 + j) % c.space)}
}

func (c *contactUser) emit(lw *lineWriter) (bool, error) {
	grp := c.groups[c.g]
	if lw.format == sources.CSV {
		it := c.conv((grp.off + c.m) % c.convs)
		lw.rec = append(lw.rec[:0], c.id, grp.name, strconv.Itoa(it.Type), it.To_Account, it.ToGroupId)
		if err := lw.row(); err != nil {
			return false, err
		}
		c.m++
	} else {
		c.items = c.items[:0]
		for n := 0; n < jsonlChunk && c.m < grp.size; n++ {
			c.items = append(c.items, c.conv((grp.off+c.m)%c.convs))
			c.m++
		}
		line := struct {
			From_Account string
			GroupName    string
			ContactItem  []contactItem
		}{c.id, grp.name, c.items}
		if err := lw.object(line); err != nil {
			return false, err
		}
	}
	if c.m >= grp.size {
		c.g, c.m = c.g+1, 0
	}
	return c.g < len(c.groups), nil
}
