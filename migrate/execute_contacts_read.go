package migrate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// maxContactPages bounds the pages of one user's get_contact_group read: a server that never
// sets CompleteFlag must not keep a run or a verify busy forever. 1000 conversations at the
// emulator's 100 per page take 10 pages; 10000 leaves room for a page size of 1.
const maxContactPages = 10000

// errBadPaging marks a get_contact_group answer whose paging never ends.
var errBadPaging = errors.New("get_contact_group paging does not end")

// readContactPages reads all of user's conversation groups: get_contact_group from
// StartIndex 0 through NextStartIndex until CompleteFlag, whatever the page size (the vendor
// does not give it), with the GroupItem lists of every page joined (it may come on the first
// page only: docs/vendor-api.md, "What the vendor leaves open", question 6). Both run and
// verify read the target this way.
func readContactPages(ctx context.Context, c *pacer.Pacer, api API, user string) (*contactPages, error) {
	pages := &contactPages{}
	start := 0
	for n := 0; ; n++ {
		if n >= maxContactPages {
			return nil, fmt.Errorf("%w: no CompleteFlag after %d pages", errBadPaging, n)
		}
		var resp *chatapi.GetContactGroupResponse
		req := &chatapi.GetContactGroupRequest{From_Account: user, StartIndex: start}
		if err := c.Do(ctx, chatapi.PathGetContactGroup, pacer.Capture(&resp, api.GetContactGroup, req)); err != nil {
			return nil, err
		}
		pages.add(resp)
		if resp.CompleteFlag != 0 {
			return pages, nil
		}
		if resp.NextStartIndex <= start {
			return nil, fmt.Errorf("%w: NextStartIndex %d does not move past StartIndex %d", errBadPaging, resp.NextStartIndex, start)
		}
		start = resp.NextStartIndex
	}
}

// contactPages gathers the pages of one user's get_contact_group. The zero value holds no
// group.
type contactPages struct {
	names   map[int]string                // GroupId → name, from GroupItem
	members map[int][]chatapi.ContactItem // GroupId → its conversations; empty groups too
}

func (c *contactPages) add(r *chatapi.GetContactGroupResponse) {
	if c.names == nil {
		c.names = make(map[int]string)
		c.members = make(map[int][]chatapi.ContactItem)
	}
	for _, g := range r.GroupItem {
		c.names[g.GroupId] = g.GroupName
		if _, ok := c.members[g.GroupId]; !ok {
			c.members[g.GroupId] = nil
		}
	}
	for _, it := range r.ContactItem {
		ci := chatapi.ContactItem{Type: it.Type, To_Account: it.To_Account, ToGroupId: it.ToGroupId}
		for _, id := range it.ContactGroupId {
			c.members[id] = append(c.members[id], ci)
		}
	}
}

// groupIDs returns the GroupIds of the user's groups, named or not, in order.
func (c *contactPages) groupIDs() []int {
	return slices.Sorted(maps.Keys(c.members))
}

// groups returns the user's groups by name. A ContactGroupId no GroupItem names (the vendor
// does not promise it cannot happen) keeps its number as a name, so it shows as extra.
func (c *contactPages) groups() map[string][]chatapi.ContactItem {
	out := make(map[string][]chatapi.ContactItem, len(c.members))
	for id, ms := range c.members {
		name, ok := c.names[id]
		if !ok {
			name = fmt.Sprintf("(ContactGroupId %d)", id)
		}
		out[name] = append(out[name], ms...)
	}
	return out
}
