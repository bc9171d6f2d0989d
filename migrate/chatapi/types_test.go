package chatapi

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestUpdateContactGroupConstructors: the two updates encode as the vendor's own examples of
// update_contact_group do, byte for byte once the examples' spaces are compacted.
func TestUpdateContactGroupConstructors(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  *UpdateContactGroupRequest
		want string
	}{
		{"rename", RenameContactGroup("user_0001", "group_0001", "group_0002"),
			`{"From_Account": "user_0001","UpdateType": 1,"UpdateGroup": {"UpdateGroupType": 1,"OldGroupName": "group_0001","NewGroupName": "group_0002"}}`},
		{"members", UpdateContactGroupMembers("user_0001", "group_0001", []ContactUpdateItem{
			{ContactOptType: ContactOptAdd, ContactItem: ContactItem{Type: ContactC2C, To_Account: "user_0002"}},
			{ContactOptType: ContactOptDelete, ContactItem: ContactItem{Type: ContactGroup, ToGroupId: "@TGS#1B2AUI7RZ"}},
		}), `{"From_Account": "user_0001","UpdateType": 1,"UpdateGroup": {"UpdateGroupType": 2,"OldGroupName": "group_0001","ContactUpdateItem": [{"ContactOptType": 1,"ContactItem": {"Type": 1,"To_Account": "user_0002"}},{"ContactOptType": 2,"ContactItem": {"Type": 2,"ToGroupId": "@TGS#1B2AUI7RZ"}}]}}`},
		{"members appended later", UpdateContactGroupMembers("u", "g", nil),
			`{"From_Account":"u","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"g"}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := json.Compact(&want, []byte(tt.want)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("got  %s\nwant %s", got, want.Bytes())
			}
		})
	}
}
