package chatapi

import (
	"errors"
	"fmt"
	"strconv"
)

// Class is what a batch job should do about an error code (docs/vendor-api.md,
// "Error classes").
type Class int

// The classes. Their values are not stored anywhere (journal records hold codes), so a
// class may be added anywhere in the list.
const (
	ClassOK        Class = iota // code 0
	ClassDone                   // already done: count as success (decided by the caller's context)
	ClassPermanent              // this item failed; record it and go on
	ClassTransient              // retry with backoff and jitter
	ClassThrottled              // slow the endpoint down and retry
	ClassRenew                  // renew the UserSig and retry
	ClassFatal                  // stop the whole run
	// ClassTooBig is a request, or the answer it asks for, over the vendor's size limits
	// (10018, 51006): a planning bug, not an item failure. Sent as it is it fails again, so
	// the caller splits it and sends the parts; nothing is dropped.
	ClassTooBig
	// ClassRetryThenFatal is retried a few times like a transient failure, and then stops the
	// whole run like a fatal one (10008: the signature check failed, "try again").
	ClassRetryThenFatal
)

var classNames = [...]string{"ok", "already-done", "permanent", "transient", "throttled", "renew", "fatal",
	"too-big", "retry-then-fatal"}

// String names the class as docs/vendor-api.md, "Error classes", does.
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "class(" + strconv.Itoa(int(c)) + ")"
	}
	return classNames[c]
}

// Retryable reports whether sending the same request again may succeed.
func (c Class) Retryable() bool {
	return c == ClassTransient || c == ClassThrottled || c == ClassRenew || c == ClassRetryThenFatal
}

// Error codes the project branches on by name (docs/vendor-api.md, "UserSig and auth codes"
// and "Error classes").
const (
	CodeInternal          = 10002
	CodeBadCommand        = 10003
	CodeBadParam          = 10004
	CodeGroupFreq         = 10006
	CodeNoPermission      = 10007
	CodeBadSignature      = 10008 // "try again": retried a few times, then fatal
	CodeGroupMissing      = 10010
	CodeBadGroupID        = 10015
	CodeAnswerTooBig      = 10018 // the answer would be over 1 MB: ask for less
	CodeTopicIDUsed       = 10021
	CodeTopicQuota        = 10037
	CodeNoTopicFeature    = 11000
	CodeSecurityFailed    = 80001
	CodeSecurityTimeout   = 80005
	CodeTopicDeleted      = 110003
	CodeSNSBadParam       = 30001
	CodeSNSAppMismatch    = 30002
	CodeSNSNoAccount      = 30003
	CodeSNSNeedAdmin      = 30004
	CodeSNSInternal       = 30006
	CodeSNSTimeout        = 30007
	CodeSNSWriteConflict  = 30008
	CodeSNSGroupLimit     = 30011
	CodeNotFriend         = 32216
	CodeRCNoUser          = 50001
	CodeRCBadParam        = 50002
	CodeRCNeedAdmin       = 50003
	CodeRCInternal        = 50004
	CodeRCTimeout         = 50005
	CodeRCTooManyContacts = 51006 // over 100 conversations in one request
	CodeRCLookupFailed    = 51007
	CodeRCGroupFull       = 51008 // 1000 conversations per user, over all its groups and marks
	CodeRCNoGroup         = 51009
	CodeRCTooManyGroups   = 51010
	CodeRCNameTooLong     = 51011
	// CodeRCPinnedLimit is the limit of 50 pinned conversations. It does not mean "the
	// conversation group exists": no code does, which is why the tool reads the target.
	CodeRCPinnedLimit      = 51012
	CodeRCNoFeature        = 51013
	CodeHTTPParse          = 60002
	CodeJSONParse          = 60003
	CodeBadAccount         = 60004 // account or signature error in the URL or body
	CodeBadAccount2        = 60005 // (same text as 60004)
	CodeBadSDKAppID        = 60006
	CodeRESTRate           = 60007
	CodeTimeout            = 60008
	CodeBadResource        = 60009 // the request's resource (its URL) is wrong
	CodeNeedAdmin          = 60010
	CodeAppRate            = 60011
	CodeNoSDKAppID         = 60012 // the URL carries no SDKAppID
	CodeAccountSwapTimeout = 60014
	CodeAppDisabled        = 60016
	CodeRequestDisabled    = 60017
	CodeTooFrequent1       = 60018
	CodeTooFrequent2       = 60019
	CodePlanExpired        = 60020
	CodeIPNotAllowed       = 60021
	CodeAppRefused         = 60025 // fatal per the vendor's list, which gives no wording
	CodeWrongRegion        = 60026 // this endpoint is not the app's region
	CodeTrialQuota         = 60028 // the Trial Edition's 24-hour quota is used up
	CodeSigExpired         = 70001
	CodeSigInvalid         = 70003
	CodeSigInvalid2        = 70005
	CodeSigWrongKey        = 70009 // signed with another app's key: the wrong secret key
	CodeSigWrongAdmin      = 70013 // signed for another identifier
	CodeSigWrongApp        = 70014 // signed for another SDKAppID
	CodeKeyNotFound        = 70016
	CodeAppNotFound        = 70020
	CodeTooManyBadSigs     = 70050
	CodeSigInvalidated     = 70052
	CodeSigInternal1       = 70169
	CodeSigTimeout         = 70202
	CodeNotAdmin           = 70403 // the identifier is not an App admin
	CodeSigInternal2       = 70500
)

var classOf = map[int]Class{
	0: ClassOK,
	// throttled
	CodeGroupFreq: ClassThrottled, CodeRESTRate: ClassThrottled, CodeAppRate: ClassThrottled,
	CodeTooFrequent1: ClassThrottled, CodeTooFrequent2: ClassThrottled,
	// transient
	CodeInternal: ClassTransient, CodeSNSInternal: ClassTransient, CodeSNSTimeout: ClassTransient,
	CodeSNSWriteConflict: ClassTransient, CodeRCInternal: ClassTransient, CodeRCTimeout: ClassTransient,
	CodeBadAccount: ClassTransient, CodeBadAccount2: ClassTransient, CodeTimeout: ClassTransient,
	CodeAccountSwapTimeout: ClassTransient, CodeSigInternal1: ClassTransient, CodeSigTimeout: ClassTransient,
	CodeSigInternal2: ClassTransient, CodeSecurityTimeout: ClassTransient,
	// renew
	CodeSigExpired: ClassRenew, CodeSigInvalidated: ClassRenew,
	// fatal: every further request would get the same answer
	CodeBadCommand: ClassFatal, CodeBadSDKAppID: ClassFatal, CodeBadResource: ClassFatal,
	CodeNeedAdmin: ClassFatal, CodeNoSDKAppID: ClassFatal, CodeAppDisabled: ClassFatal,
	CodeRequestDisabled: ClassFatal, CodePlanExpired: ClassFatal, CodeIPNotAllowed: ClassFatal,
	CodeAppRefused: ClassFatal, CodeWrongRegion: ClassFatal, CodeTrialQuota: ClassFatal,
	CodeSigInvalid: ClassFatal, CodeSigInvalid2: ClassFatal, CodeSigWrongKey: ClassFatal,
	CodeSigWrongAdmin: ClassFatal, CodeSigWrongApp: ClassFatal, CodeKeyNotFound: ClassFatal,
	CodeAppNotFound: ClassFatal, CodeTooManyBadSigs: ClassFatal, CodeNotAdmin: ClassFatal,
	CodeSNSNeedAdmin: ClassFatal, CodeRCNeedAdmin: ClassFatal,
	// too big: split, never drop
	CodeAnswerTooBig: ClassTooBig, CodeRCTooManyContacts: ClassTooBig,
	// retried a few times, then fatal
	CodeBadSignature: ClassRetryThenFatal,
}

// ClassOf returns the class of an ErrorCode or ResultCode. Codes not listed in
// docs/vendor-api.md, "Error classes", are permanent item failures: the safe reading of an
// unknown refusal is "this item, not the run". ClassDone is never returned: whether 10021
// means "already done" depends on what the caller sent, so the caller decides (by reading).
func ClassOf(code int) Class {
	if c, ok := classOf[code]; ok {
		return c
	}
	return ClassPermanent
}

// ClassOfHTTP classifies a non-200 HTTP status: 429 is a throttle, 5xx transient, the rest fatal
// (a 404 or 403 from a proxy means a wrong endpoint, and every request would meet it).
func ClassOfHTTP(status int) Class {
	switch {
	case status == 200:
		return ClassOK
	case status == 429:
		return ClassThrottled
	case status >= 500:
		return ClassTransient
	default:
		return ClassFatal
	}
}

// Error is a failed call: a transport failure, a non-200 status, or a non-zero ErrorCode.
// Its text never contains the request URL's query (sdkappid, identifier, usersig) or the key.
type Error struct {
	Endpoint   string // service path, e.g. "sns/group_add"
	HTTPStatus int    // 0 when no answer came
	Code       int    // ErrorCode from the body; 0 for transport and HTTP failures
	Info       string // ErrorInfo, or the redacted transport error
	Class      Class
	// Sent is true when the request may have reached the server: a timeout or a reset after
	// the body was written leaves the outcome unknown (in doubt), which exactly-once cares about.
	Sent bool
	Err  error // the underlying (redacted) transport error, if any
}

// Error formats the failure without any credential.
func (e *Error) Error() string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("%s: ErrorCode %d (%s): %s", e.Endpoint, e.Code, e.Class, e.Info)
	case e.HTTPStatus != 0 && e.HTTPStatus != 200:
		return fmt.Sprintf("%s: HTTP %d (%s): %s", e.Endpoint, e.HTTPStatus, e.Class, e.Info)
	default:
		return fmt.Sprintf("%s: %s (%s)", e.Endpoint, e.Info, e.Class)
	}
}

// Unwrap exposes the transport error (already redacted) to errors.Is, so callers can test
// for context.Canceled or context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.Err }

// IsTooBig reports whether err is a request, or the answer it asked for, over the vendor's
// size limits (ClassTooBig): the caller splits it and sends the parts.
func IsTooBig(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Class == ClassTooBig
}
