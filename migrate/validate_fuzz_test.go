package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// FuzzValidateTopic: validation never panics, and what it accepts fits the API's limits and
// encodes as JSON unchanged.
func FuzzValidateTopic(f *testing.F) {
	f.Add("@TGS#_g", "@TGS#_g@TOPIC#_a", "话题", "admin", "", "", "", "", "1700000000")
	f.Add("@TGS#_", "", "", "", "\x00", "\xff", "", "", "-1")
	f.Add("@TGS#_g", "@TGS#_g@TOPIC#_@TGS#_", "n", "", "", "", "", "", "99999999999999999999")
	f.Fuzz(func(t *testing.T, groupID, topicID, name, from, custom, face, notif, intro, created string) {
		tp := sources.Topic{GroupId: groupID, TopicId: topicID, TopicName: name, From_Account: from,
			CustomString: custom, FaceUrl: face, Notification: notif, Introduction: intro, CreateTime: created}
		issues, req := validateTopic(&tp, testNow.Unix())
		if (len(issues) == 0) != (req != nil) {
			t.Fatalf("issues %v with request %v", issues, req)
		}
		for _, is := range issues {
			p := problemOf(sources.Topics, topicItem(&tp), []issue{is})
			if !utf8.ValidString(p.Excerpt) || strings.ContainsAny(p.Excerpt, "\x00\n\r") {
				t.Fatalf("excerpt not printable: %q", p.Excerpt)
			}
		}
		if req == nil {
			return
		}
		if n := len(req.TopicName); n < 1 || n > chatapi.MaxTopicNameBytes || len(req.TopicId) > chatapi.MaxTopicIDBytes ||
			len(req.CustomString) > chatapi.MaxCustomStringBytes || len(req.FaceUrl) > chatapi.MaxFaceURLBytes ||
			len(req.Notification) > chatapi.MaxNotificationBytes || len(req.Introduction) > chatapi.MaxIntroductionBytes ||
			!strings.HasPrefix(req.GroupId, chatapi.CommunityPrefix) || req.CreateTime < 0 || req.CreateTime > testNow.Unix() {
			t.Fatalf("accepted out of limits: %+v", req)
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		var back chatapi.ImportTopicRequest
		if err := json.Unmarshal(b, &back); err != nil || back != *req {
			t.Fatalf("request does not survive JSON: %v %+v", err, back)
		}
	})
}

// FuzzPlanFriendGroups: random small memberships are planned so that the units put exactly
// the valid memberships into the target (rebuilt from the units, compared with
// EachFriendUser), and EachFriendUser holds exactly the rows not reported invalid.
func FuzzPlanFriendGroups(f *testing.F) {
	f.Add([]byte{0, 1, 2, 0, 1, 3, 1, 0, 0})
	f.Add([]byte("a fairly long seed with many bytes to make many rows of memberships 0123456789"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 600 {
			data = data[:600]
		}
		var rows [][3]string
		for i := 0; i+2 < len(data); i += 3 {
			user := fmt.Sprintf("u%d", data[i]%3)
			group := fmt.Sprintf("g%d", data[i+1]%40) // up to 40 groups: over the 32 limit
			friend := ""
			if data[i+2]%8 != 0 {
				friend = fmt.Sprintf("f%d", data[i+2]%9)
			}
			rows = append(rows, [3]string{user, group, friend})
		}
		p, probs := planOf(t, map[string]string{"friend_groups.csv": friendCSV(rows)}, PlanOptions{})
		checkFriendCoverage(t, p)

		bad := map[int]bool{}
		for _, pr := range probs {
			if !pr.Warning {
				bad[pr.Pos.Line] = true
			}
		}
		want := map[string]map[string][]string{}
		for i, r := range rows {
			if bad[i+2] || r[0] == r[2] {
				continue
			}
			if want[r[0]] == nil {
				want[r[0]] = map[string][]string{}
			}
			ms := want[r[0]][r[1]]
			if ms == nil {
				ms = []string{}
			}
			if r[2] != "" && !slices.Contains(ms, r[2]) {
				ms = append(ms, r[2])
			}
			want[r[0]][r[1]] = ms
		}
		got := map[string]map[string][]string{}
		p.EachFriendUser(context.Background(), func(user string, groups map[string][]string) error {
			got[user] = groups
			return nil
		})
		for _, groups := range want {
			for g := range groups {
				slices.Sort(groups[g])
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("planned\n%v\nwant\n%v", got, want)
		}
	})
}
