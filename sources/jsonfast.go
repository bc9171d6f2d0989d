package sources

import "encoding/json"

// The fast path of a JSONL line: one json.Unmarshal into a struct, after a byte scan that
// proves the result is what the exact walk of jsonObject would give. The walk decodes every
// member on its own (a Token, a RawMessage, an Unmarshal per string) to match keys exactly and
// catch repeated keys, which makes it many times slower than one Unmarshal. encoding/json alone
// would be wrong on three points: it matches keys without regard to case, keeps the last of two
// equal keys, and turns a lone UTF-16 surrogate escape into U+FFFD. fastKeys rules out all
// three. Any line it does not pass, and any line Unmarshal refuses, goes to the walk, which
// then decides and words every error: the fast path never reports anything itself.

// The structs the fast path decodes into. A string field takes a JSON string or null (null
// leaves it "", as str does); json.Number takes a number as written or a string holding a
// number, as text does (any other string falls back to the walk, which keeps it for
// validation). Every other JSON type is an Unmarshal error, hence the walk.
type (
	topicJSON struct {
		GroupId      string      `json:"GroupId"`
		TopicId      string      `json:"TopicId"`
		TopicName    string      `json:"TopicName"`
		From_Account string      `json:"From_Account"`
		CustomString string      `json:"CustomString"`
		FaceUrl      string      `json:"FaceUrl"`
		Notification string      `json:"Notification"`
		Introduction string      `json:"Introduction"`
		CreateTime   json.Number `json:"CreateTime"`
	}
	friendGroupJSON struct {
		From_Account string   `json:"From_Account"`
		GroupName    string   `json:"GroupName"`
		To_Account   []string `json:"To_Account"`
	}
	contactGroupJSON struct {
		From_Account string        `json:"From_Account"`
		GroupName    string        `json:"GroupName"`
		ContactItem  []contactJSON `json:"ContactItem"`
		Op           string        `json:"Op"`
		NewGroupName string        `json:"NewGroupName"`
	}
	contactJSON struct {
		Type       json.Number `json:"Type"`
		To_Account string      `json:"To_Account"`
		ToGroupId  string      `json:"ToGroupId"`
	}
)

// keySet is the exact keys of one kind of object; when objects names one of them, that key's
// value must be null or an array whose elements are all objects with the keys of elem.
type keySet struct {
	keys    []string
	objects string
	elem    *keySet
}

var (
	topicKeySet        = keySet{keys: topicColumns.known}
	friendGroupKeySet  = keySet{keys: friendGroupColumns.known}
	contactKeySet      = keySet{keys: contactKeys}
	contactGroupKeySet = keySet{keys: contactGroupKeys, objects: "ContactItem", elem: &contactKeySet}
)

func topicFast(b []byte, pos Pos) (Topic, bool) {
	var r topicJSON
	if !fastKeys(b, &topicKeySet) || json.Unmarshal(b, &r) != nil {
		return Topic{}, false
	}
	return Topic{Pos: pos, GroupId: r.GroupId, TopicId: r.TopicId, TopicName: r.TopicName,
		From_Account: r.From_Account, CustomString: r.CustomString, FaceUrl: r.FaceUrl,
		Notification: r.Notification, Introduction: r.Introduction, CreateTime: string(r.CreateTime)}, true
}

func friendGroupFast(b []byte, pos Pos) (FriendGroup, bool) {
	var r friendGroupJSON
	if !fastKeys(b, &friendGroupKeySet) || json.Unmarshal(b, &r) != nil {
		return FriendGroup{}, false
	}
	g := FriendGroup{Pos: pos, From_Account: r.From_Account, GroupName: r.GroupName, To_Account: r.To_Account}
	if len(g.To_Account) == 0 {
		g.To_Account = nil // the walk leaves an empty array as no slice at all
	}
	return g, true
}

func contactGroupFast(b []byte, pos Pos) (ContactGroup, bool) {
	var r contactGroupJSON
	if !fastKeys(b, &contactGroupKeySet) || json.Unmarshal(b, &r) != nil {
		return ContactGroup{}, false
	}
	g := ContactGroup{Pos: pos, From_Account: r.From_Account, GroupName: r.GroupName,
		Op: r.Op, NewGroupName: r.NewGroupName}
	if len(r.ContactItem) > 0 {
		g.ContactItem = make([]Contact, len(r.ContactItem))
		for i, c := range r.ContactItem {
			g.ContactItem[i] = Contact{Type: string(c.Type), To_Account: c.To_Account, ToGroupId: c.ToGroupId}
		}
	}
	return g, true
}
