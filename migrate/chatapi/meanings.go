package chatapi

// meanings are short plain-language readings of the codes a migration meets, each with what
// to do about it, for people reading a report rather than the vendor's error list
// (docs/vendor-api.md, "Error classes" and "Limits"). A code's ErrorInfo text from the server
// stays the authority; these say what it usually means for a migration.
var meanings = map[int]string{
	// throttled and transient: the run retries these itself
	CodeGroupFreq:          "too many requests to this group at once: the run slowed down and retried",
	CodeRESTRate:           "the REST API's rate limit was hit: the run slowed down and retried",
	CodeAppRate:            "the app's overall request rate was exceeded (production traffic shares it): the run slowed down and retried",
	CodeTooFrequent1:       "requests too frequent: the run slowed down and retried",
	CodeTooFrequent2:       "requests too frequent: the run slowed down and retried",
	CodeInternal:           "the server had an internal error: retried; if it persists, ask the vendor",
	CodeSNSInternal:        "the friend service had an internal error: retried",
	CodeSNSTimeout:         "the friend service timed out: retried",
	CodeSNSWriteConflict:   "two writes for the same user collided: retried",
	CodeRCInternal:         "the conversation service had an internal error or a write conflict: retried",
	CodeRCTimeout:          "the conversation service timed out: retried",
	CodeTimeout:            "the server timed out: retried",
	CodeSecurityTimeout:    "the content security check timed out: retried",
	CodeSigInternal1:       "the signature service had an internal error: retried",
	CodeSigInternal2:       "the signature service had an internal error: retried",
	CodeSigTimeout:         "the signature service timed out: retried",
	CodeBadAccount:         "the server could not check the request's account or signature: retried",
	CodeBadAccount2:        "the server could not check the request's account or signature: retried",
	CodeAccountSwapTimeout: "the server timed out resolving the account: retried",

	// the UserSig and the account
	CodeSigExpired:     "the UserSig expired: a new one is needed",
	CodeSigInvalidated: "the UserSig was invalidated: a new one is needed",
	CodeSigInvalid:     "the UserSig is malformed: check the signature you gave",
	CodeSigInvalid2:    "the UserSig is malformed: check the signature you gave",
	// By number: the names of 70009, 70013 and 70014 predate the corrected reading of them
	// in docs/vendor-api.md, "UserSig and auth codes".
	70009:               "the UserSig was signed with another app's key: wrong secret key",
	70013:               "the UserSig was signed for another identifier: sign it for the admin account you use",
	70014:               "the UserSig was signed for another SDKAppID: check the SDKAppID",
	CodeKeyNotFound:     "no key for this SDKAppID here: often the wrong region",
	CodeAppNotFound:     "this SDKAppID is not known here: often the wrong region",
	CodeTooManyBadSigs:  "too many bad signatures lately: wait a while, then fix the key",
	CodeNeedAdmin:       "the identifier is not an App admin: use an admin account",
	CodeSNSNeedAdmin:    "the identifier is not an App admin: use an admin account",
	CodeRCNeedAdmin:     "the identifier is not an App admin: use an admin account",
	70403:               "the identifier is not an App admin: use an admin account",
	CodeBadSDKAppID:     "the SDKAppID is invalid or was deleted",
	CodeAppDisabled:     "the app is disabled",
	CodePlanExpired:     "the app's plan has expired: renew it in the console",
	CodeIPNotAllowed:    "this machine's IP address is not allowed to call the API",
	60026:               "wrong region: this SDKAppID lives in another region's domain",
	60028:               "the Trial Edition's 24-hour quota is used up",
	CodeBadResource:     "the request's resource is wrong: check the endpoint address",
	CodeNoSDKAppID:      "the request carries no SDKAppID: check the SDKAppID",
	CodeRequestDisabled: "the service has disabled this request for the app",
	CodeAppRefused:      "the app's configuration refused the request: check the app in the console",
	CodeBadCommand:      "the server does not know this command: the endpoint path is wrong",
	CodeBadSignature:    "the signature check failed: retried a few times, then the run stopped",

	// the request itself
	10018:           "the answer would be over 1 MB: a planning bug, the request must ask for less",
	51006:           "more than 100 conversations in one request: a planning bug, the request must be split",
	CodeBadParam:    "the request was refused as invalid: check the row's fields",
	CodeJSONParse:   "the server could not parse the request's JSON",
	CodeHTTPParse:   "the server could not parse the HTTP request",
	CodeSNSBadParam: "invalid friend request; on some servers: not friends yet, import the friendships first",
	CodeRCBadParam:  "the conversation-group request was refused as invalid: check the row's fields",

	// topics
	CodeNoPermission:   "no permission for this group (an audio-video chat room has no topics)",
	CodeGroupMissing:   "the group does not exist, or the topic is not in it",
	CodeBadGroupID:     "the group ID is invalid: a Community's ID starts with @TGS#_",
	CodeTopicIDUsed:    "a topic with this ID exists already in that Community",
	CodeTopicQuota:     "the Community's topic quota is used up (at most 200 topics, fewer on some plans)",
	CodeNoTopicFeature: "topics are not enabled for this group: it must be a Community with the topic feature on",
	CodeSecurityFailed: "the content security check refused the text: change the name or the texts",
	CodeTopicDeleted:   "the topic was deleted",

	// friend groups
	CodeSNSAppMismatch: "the account belongs to another app",
	CodeSNSNoAccount:   "the user is not imported: import the account first",
	CodeSNSGroupLimit:  "the user has too many friend groups (at most 32) or friends",
	CodeNotFriend:      "not friends yet: import the friendships first",

	// conversation groups
	CodeRCNoUser:        "the user is not imported: import the account first",
	CodeRCLookupFailed:  "not a member of that group: a group conversation needs the user in the group",
	CodeRCGroupFull:     "the user's conversation groups hold the most conversations allowed (1000 in all, shared with conversation marks)",
	CodeRCNoGroup:       "the conversation group does not exist",
	CodeRCTooManyGroups: "the user has the most conversation groups allowed (20)",
	CodeRCNameTooLong:   "the conversation group's name is too long",
	CodeRCPinnedLimit:   "too many pinned conversations (at most 50)",
	CodeRCNoFeature:     "conversation groups need the Pro, Ultimate or Enterprise edition",
}

// Meaning returns a short plain-language reading of an ErrorCode or ResultCode for a person
// reading a report, with what to do about it, or "" for a code it does not know.
func Meaning(code int) string { return meanings[code] }
