package chatsim

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// importTopic serves both import_topic paths.
func (s *Server) importTopic(o *object, now time.Time) reply {
	typ := o.str("Type", false)
	gid := o.str("GroupId", true)
	t := Topic{
		TopicId:      o.str("TopicId", false),
		TopicName:    o.str("TopicName", true),
		From_Account: o.str("From_Account", false),
		CustomString: o.str("CustomString", false),
		FaceUrl:      o.str("FaceUrl", false),
		Notification: o.str("Notification", false),
		Introduction: o.str("Introduction", false),
	}
	created, hasCreated := o.integer("CreateTime", false, false)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if typ != "" && typ != "Community" {
		return fail(chatapi.CodeBadParam, "Type must be Community")
	}
	if !strings.HasPrefix(gid, chatapi.CommunityPrefix) {
		return fail(chatapi.CodeBadGroupID, "GroupId is not a Community group ID")
	}
	if msg := topicFieldsTooLong(t); msg != "" {
		return fail(chatapi.CodeBadParam, msg)
	}
	if hasCreated && created < 0 {
		return fail(chatapi.CodeBadParam, "CreateTime is negative")
	}
	if t.TopicId != "" {
		if info := checkTopicID(gid, t.TopicId); info != "" {
			return fail(chatapi.CodeBadParam, info)
		}
	}
	t.CreateTime = created
	if !hasCreated {
		t.CreateTime = now.Unix()
	}

	exists, topics := s.world.community(gid)
	if !exists {
		return fail(chatapi.CodeGroupMissing, "group does not exist")
	}
	if !topics {
		return fail(chatapi.CodeNoTopicFeature, "group does not support topics")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.st.topics[gid]
	if t.TopicId != "" {
		if _, used := set[t.TopicId]; used {
			return fail(chatapi.CodeTopicIDUsed, "topic ID already used")
		}
	}
	if q := s.world.topicQuota; q > 0 && len(set) >= q {
		return fail(chatapi.CodeTopicQuota, "topic quota exceeded")
	}
	if set == nil {
		set = make(map[string]*Topic)
		s.st.topics[gid] = set
	}
	if t.TopicId == "" {
		t.TopicId = s.newTopicID(gid, set)
	}
	set[t.TopicId] = &t
	return succeed(&chatapi.ImportTopicResponse{TopicId: t.TopicId})
}

// checkTopicID checks a custom TopicId (docs/vendor-api.md, "Limits"): {GroupId}@TOPIC#_{suffix},
// the suffix printable ASCII without "@TGS#_", the whole at most 96 bytes and not in the
// vendor's own default form ("@TOPIC#_@TOPIC#..."), which an import refuses as custom. It
// returns why it is bad, or "".
func checkTopicID(gid, id string) string {
	prefix := gid + chatapi.TopicMarker
	suffix, found := strings.CutPrefix(id, prefix)
	switch {
	case !found || suffix == "":
		return "TopicId must be GroupId + @TOPIC#_ + a suffix"
	case len(id) > chatapi.MaxTopicIDBytes:
		return "TopicId is longer than 96 bytes"
	case strings.Contains(suffix, chatapi.CommunityPrefix):
		return "TopicId suffix contains @TGS#_"
	case strings.Contains(id, chatapi.TopicMarker+"@TOPIC#"):
		return "TopicId has the vendor's default form, which cannot be imported as a custom ID"
	}
	for i := 0; i < len(suffix); i++ {
		if suffix[i] < 0x20 || suffix[i] > 0x7e {
			return "TopicId suffix is not printable ASCII"
		}
	}
	return ""
}

const topicIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newTopicID makes a vendor-shaped TopicId ({GroupId}@TOPIC#_@TOPIC#c + 11 characters) from
// the seed and a counter: the same sequence of imports yields the same IDs. Caller holds s.mu.
func (s *Server) newTopicID(gid string, used map[string]*Topic) string {
	for {
		s.st.topicSeq++
		var buf [16]byte
		binary.LittleEndian.PutUint64(buf[0:], uint64(s.cfg.Seed))
		binary.LittleEndian.PutUint64(buf[8:], s.st.topicSeq)
		x := mix(append(buf[:], gid...))
		var sb strings.Builder
		sb.WriteString(gid + chatapi.TopicMarker + "@TOPIC#c")
		for range 11 {
			sb.WriteByte(topicIDAlphabet[splitmix(&x)%uint64(len(topicIDAlphabet))])
		}
		if id := sb.String(); used[id] == nil {
			return id
		}
	}
}

// getTopic answers get_topic. Per the vendor, the top-level code is 0 whenever the group is
// readable, and each topic carries its own: an ID that is not there answers 10010
// (docs/vendor-api.md, "Endpoints"; "group or topic deleted / missing"). From_Account is
// required but not looked up.
func (s *Server) getTopic(o *object, _ time.Time) reply {
	gid := o.str("GroupId", true)
	o.str("From_Account", true)
	ids, _ := o.strList("TopicIdList", false)
	filter, hasFilter := o.strList("ResponseFilter", false)
	if e := o.err(); e != nil {
		return failErr(e)
	}
	if !strings.HasPrefix(gid, chatapi.CommunityPrefix) {
		return fail(chatapi.CodeBadGroupID, "GroupId is not a Community group ID")
	}
	exists, topics := s.world.community(gid)
	if !exists {
		return fail(chatapi.CodeGroupMissing, "group does not exist")
	}
	if !topics {
		return fail(chatapi.CodeNoTopicFeature, "group does not support topics")
	}
	want := func(string) bool { return true }
	if hasFilter {
		set := make(map[string]bool, len(filter))
		for _, f := range filter {
			set[f] = true
		}
		want = func(f string) bool { return set[f] }
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.st.topics[gid]
	resp := &chatapi.GetTopicResponse{TopicAndSelfInfo: []chatapi.TopicAndSelfInfo{}}
	if len(ids) == 0 {
		for id := range set {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	for _, id := range ids {
		t := set[id]
		if t == nil {
			resp.TopicAndSelfInfo = append(resp.TopicAndSelfInfo, chatapi.TopicAndSelfInfo{
				ErrorCode: chatapi.CodeGroupMissing, ErrorInfo: "topic does not exist",
				TopicInfo: chatapi.TopicInfo{TopicId: id, GroupID: gid},
			})
			continue
		}
		info := chatapi.TopicInfo{TopicId: t.TopicId, GroupID: gid, MuteAllMember: "Off", NextMsgSeq: 1}
		if want("TopicName") {
			info.TopicName = t.TopicName
		}
		if want("FaceUrl") {
			info.FaceUrl = t.FaceUrl
		}
		if want("Notification") {
			info.Notification = t.Notification
		}
		if want("Introduction") {
			info.Introduction = t.Introduction
		}
		if want("CustomString") {
			info.CustomString = t.CustomString
		}
		if want("CreateTime") {
			info.CreateTime = t.CreateTime
		}
		resp.TopicAndSelfInfo = append(resp.TopicAndSelfInfo, chatapi.TopicAndSelfInfo{
			ErrorInfo: "ok",
			SelfInfo:  &chatapi.SelfInfo{MsgFlag: "AcceptAndNotify"},
			TopicInfo: info,
		})
	}
	// The vendor caps an answer at 1 MB (10018): a Community's every topic with every field
	// may pass it, and a client must then ask for fewer IDs or fields.
	if data, err := json.Marshal(resp); err != nil || len(data) > maxAnswerBytes {
		return fail(chatapi.CodeAnswerTooBig, "answer longer than 1 MB: ask for fewer topics or filter the fields")
	}
	return succeed(resp)
}
