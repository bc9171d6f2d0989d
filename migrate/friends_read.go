package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// friendGroupReader is what reading a user's friend groups needs of the API.
type friendGroupReader interface {
	GroupGet(ctx context.Context, req *chatapi.GroupGetRequest) (*chatapi.GroupGetResponse, error)
	FriendGet(ctx context.Context, req *chatapi.FriendGetRequest) (*chatapi.FriendGetResponse, error)
}

// errFriendPaging marks an sns/friend_get read whose paging never ends: the user's state is
// not known, and neither a write nor a comparison may rest on the pages read so far.
var errFriendPaging = errors.New("sns/friend_get paging does not end")

// maxFriendPages bounds the pages of sns/friend_get for one user: a user has at most 3000
// friends, so even pages of one friend end before it.
const maxFriendPages = chatapi.MaxFriendsPerUser + 1

// readFriendGroups reads all of user's friend groups with their friends: with one
// sns/group_get asking for them, or, when that answer would pass the vendor's 1 MB cap
// (10018: docs/vendor-api.md, "Limits"), with the groups' names alone and the friends page by
// page (readFriendPages). Both run and verify read the target this way, so that a user too
// big for one answer is neither left unwritten nor left unverified.
func readFriendGroups(ctx context.Context, c *pacer.Pacer, api friendGroupReader, user string) ([]chatapi.FriendGroupInfo, error) {
	req := &chatapi.GroupGetRequest{From_Account: user, NeedFriend: chatapi.NeedFriendYes}
	var resp *chatapi.GroupGetResponse
	err := c.Do(ctx, chatapi.PathGroupGet, pacer.Capture(&resp, api.GroupGet, req))
	if chatapi.IsTooBig(err) {
		return readFriendPages(ctx, c, api, user)
	}
	if err != nil {
		return nil, err
	}
	return resp.ResultItem, nil
}

// readFriendPages reads user's groups without their friends (sns/group_get), then every
// friend with its Tag_SNS_IM_Group (sns/friend_get, page by page), and rebuilds each group's
// members: the same state in small answers. NeedFriend cannot be asked for a few groups at a
// time: the vendor documents it only without a GroupName filter.
func readFriendPages(ctx context.Context, c *pacer.Pacer, api friendGroupReader, user string) ([]chatapi.FriendGroupInfo, error) {
	var resp *chatapi.GroupGetResponse
	req := &chatapi.GroupGetRequest{From_Account: user}
	if err := c.Do(ctx, chatapi.PathGroupGet, pacer.Capture(&resp, api.GroupGet, req)); err != nil {
		return nil, err
	}
	groups := resp.ResultItem
	index := make(map[string]int, len(groups))
	for i := range groups {
		groups[i].To_Account = nil
		index[groups[i].GroupName] = i
	}
	for start, pages := 0, 0; ; pages++ {
		if pages == maxFriendPages {
			return nil, fmt.Errorf("%w: %q: no last page after %d pages", errFriendPaging, user, pages)
		}
		var page *chatapi.FriendGetResponse
		q := &chatapi.FriendGetRequest{From_Account: user, StartIndex: start}
		if err := c.Do(ctx, chatapi.PathFriendGet, pacer.Capture(&page, api.FriendGet, q)); err != nil {
			return nil, err
		}
		for _, f := range page.UserDataItem {
			for _, v := range f.ValueItem {
				names, ok := v.Strings()
				if v.Tag != chatapi.TagFriendGroups || !ok {
					continue
				}
				for _, g := range names {
					i, known := index[g]
					if !known { // listed for a friend, not by group_get: a group all the same
						i = len(groups)
						index[g] = i
						groups = append(groups, chatapi.FriendGroupInfo{GroupName: g})
					}
					groups[i].To_Account = append(groups[i].To_Account, f.To_Account)
				}
			}
		}
		if page.CompleteFlag != 0 {
			return groups, nil
		}
		if page.NextStartIndex <= start {
			// Reading on would loop, and writing on a partial read could drop memberships.
			return nil, fmt.Errorf("%w: %q: page at %d is not the last and points back to %d", errFriendPaging, user, start, page.NextStartIndex)
		}
		start = page.NextStartIndex
	}
}
