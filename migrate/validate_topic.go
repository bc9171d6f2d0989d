package migrate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// Field rules of a topic (docs/vendor-api.md, "Limits"); a custom TopicId's form is checked by
// topicIDProblem.
var (
	ruleGroupId      = textRule{field: "GroupId", required: true}
	ruleTopicId      = textRule{field: "TopicId", max: chatapi.MaxTopicIDBytes}
	ruleTopicName    = textRule{field: "TopicName", required: true, max: chatapi.MaxTopicNameBytes}
	ruleTopicFrom    = textRule{field: "From_Account", max: chatapi.MaxUserIDBytes}
	ruleCustomString = textRule{field: "CustomString", max: chatapi.MaxCustomStringBytes, freeText: true}
	ruleFaceUrl      = textRule{field: "FaceUrl", max: chatapi.MaxFaceURLBytes}
	ruleNotification = textRule{field: "Notification", max: chatapi.MaxNotificationBytes, freeText: true}
	ruleIntroduction = textRule{field: "Introduction", max: chatapi.MaxIntroductionBytes, freeText: true}
	ruleCreateTime   = textRule{field: "CreateTime"}
)

// topicItem is the Item a topic record reports as.
func topicItem(t *sources.Topic) Item {
	return Item{Pos: t.Pos, From_Account: t.From_Account, GroupId: t.GroupId, TopicName: t.TopicName,
		TopicId: t.TopicId, CustomString: t.CustomString, FaceUrl: t.FaceUrl,
		Notification: t.Notification, Introduction: t.Introduction, CreateTime: t.CreateTime}
}

// validateTopic checks one topic on its own and returns its issues (none: valid) and, when
// valid, the request that imports it. nowUnix bounds CreateTime: a topic cannot have been
// created in the future.
func validateTopic(t *sources.Topic, nowUnix int64) ([]issue, *chatapi.ImportTopicRequest) {
	var issues []issue
	add := func(is *issue) {
		if is != nil {
			issues = append(issues, *is)
		}
	}
	if is := ruleGroupId.check(t.GroupId); is != nil {
		issues = append(issues, *is)
	} else if len(t.GroupId) <= len(chatapi.CommunityPrefix) || !strings.HasPrefix(t.GroupId, chatapi.CommunityPrefix) {
		issues = append(issues, issue{"GroupId", t.GroupId, "not a Community group ID: must be " + chatapi.CommunityPrefix + " followed by the ID"})
	}
	if is := ruleTopicId.check(t.TopicId); is != nil {
		issues = append(issues, *is)
	} else if t.TopicId != "" {
		if reason := topicIDProblem(t.GroupId, t.TopicId); reason != "" {
			issues = append(issues, issue{"TopicId", t.TopicId, reason})
		}
	}
	add(ruleTopicName.check(t.TopicName))
	add(ruleTopicFrom.check(t.From_Account))
	add(ruleCustomString.check(t.CustomString))
	add(ruleFaceUrl.check(t.FaceUrl))
	add(ruleNotification.check(t.Notification))
	add(ruleIntroduction.check(t.Introduction))
	var created int64
	if is := ruleCreateTime.check(t.CreateTime); is != nil {
		issues = append(issues, *is)
	} else if t.CreateTime != "" {
		var reason string
		created, reason = parseCreateTime(t.CreateTime, nowUnix)
		if reason != "" {
			issues = append(issues, issue{"CreateTime", t.CreateTime, reason})
		}
	}
	if len(issues) > 0 {
		return issues, nil
	}
	return nil, &chatapi.ImportTopicRequest{
		Type: "Community", GroupId: t.GroupId, TopicId: t.TopicId, TopicName: t.TopicName,
		From_Account: t.From_Account, CustomString: t.CustomString, FaceUrl: t.FaceUrl,
		Notification: t.Notification, Introduction: t.Introduction, CreateTime: created,
	}
}

// topicIDProblem checks a custom TopicId against docs/vendor-api.md, "Limits":
// "{GroupId}@TOPIC#_{custom}", printable ASCII, the custom part without @TGS#_. An ID that
// holds @TOPIC#_@TOPIC# is of the vendor's own form (one an app-to-app migration carries):
// the service does not take it as a custom ID. A custom part may hold @TOPIC#_ otherwise.
// The length is checked by the field rule.
func topicIDProblem(groupID, topicID string) string {
	prefix := groupID + chatapi.TopicMarker
	if groupID == "" || !strings.HasPrefix(topicID, prefix) {
		return fmt.Sprintf("must be the GroupId followed by %s and a suffix", chatapi.TopicMarker)
	}
	suffix := topicID[len(prefix):]
	switch {
	case suffix == "":
		return "empty suffix after " + chatapi.TopicMarker
	case strings.Contains(topicID, chatapi.VendorTopicMarker):
		return "a TopicId the vendor assigned (it holds " + chatapi.VendorTopicMarker + "): it cannot be imported as a custom ID; " +
			"leave TopicId empty to have the service assign a new one"
	case strings.Contains(suffix, chatapi.CommunityPrefix):
		return "suffix must not contain " + chatapi.CommunityPrefix
	}
	if at := printableASCII(topicID); at > 0 {
		return fmt.Sprintf("byte %d is not printable ASCII: a custom TopicId is printable ASCII", at)
	}
	return ""
}

// parseCreateTime reads unix seconds: decimal digits only (no sign, no fraction, no spaces),
// greater than 0 and not after now.
func parseCreateTime(s string, nowUnix int64) (int64, string) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, "not an integer number of unix seconds"
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, "out of range"
	case n <= 0:
		return 0, "must be after 1970-01-01 (unix seconds > 0)"
	case n > nowUnix:
		return 0, fmt.Sprintf("in the future (now is %d)", nowUnix)
	}
	return n, ""
}
