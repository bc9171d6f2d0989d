package chatapi

import (
	"fmt"
	"strconv"
)

// Class is what a batch job should do about an error code (../shared/API.md, "Classes").
type Class int

// The classes, from the cheapest reaction to the most drastic.
const (
	ClassOK        Class = iota // code 0
	ClassDone                   // already done: count as success (decided by the caller's context)
	ClassPermanent              // this item failed; record it and go on
	ClassTransient              // retry with backoff and jitter
	ClassThrottled              // slow the endpoint down and retry
	ClassRenew                  // renew the UserSig and retry
	ClassFatal                  // stop the whole run
)

var classNames = [...]string{"ok", "already-done", "permanent", "transient", "throttled", "renew", "fatal"}

// String names the class as API.md does.
func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "class(" + strconv.Itoa(int(c)) + ")"
	}
	return classNames[c]
}

// Retryable reports whether sending the same request again may succeed.
func (c Class) Retryable() bool {
	return c == ClassTransient || c == ClassThrottled || c == ClassRenew
}

// Error codes the project branches on by name.
const (
	CodeInternal         = 10002
	CodeBadCommand       = 10003
	CodeBadParam         = 10004
	CodeGroupFreq        = 10006
	CodeNoPermission     = 10007
	CodeBadSignature     = 10008
	CodeGroupMissing     = 10010
	CodeBadGroupID       = 10015
	CodeTopicIDUsed      = 10021
	CodeTopicQuota       = 10037
	CodeNoTopicFeature   = 11000
	CodeSecurityFailed   = 80001
	CodeSecurityTimeout  = 80005
	CodeTopicDeleted     = 110003
	CodeSNSBadParam      = 30001
	CodeSNSAppMismatch   = 30002
	CodeSNSNoAccount     = 30003
	CodeSNSNeedAdmin     = 30004
	CodeSNSInternal      = 30006
	CodeSNSTimeout       = 30007
	CodeSNSWriteConflict = 30008
	CodeSNSGroupLimit    = 30011
	CodeNotFriend        = 32216
	CodeRCNoUser         = 50001
	CodeRCBadParam       = 50002
	CodeRCNeedAdmin      = 50003
	CodeRCInternal       = 50004
	CodeRCTimeout        = 50005
	CodeRCLookupFailed   = 51007
	CodeRCGroupFull      = 51008
	CodeRCNoGroup        = 51009
	CodeRCTooManyGroups  = 51010
	CodeRCNameTooLong    = 51011
	CodeRCGroupExists    = 51012
	CodeRCNoFeature      = 51013
	CodeHTTPParse        = 60002
	CodeJSONParse        = 60003
	CodeBadSDKAppID      = 60006
	CodeRESTRate         = 60007
	CodeTimeout          = 60008
	CodeNeedAdmin        = 60010
	CodeAppRate          = 60011
	CodeAppDisabled      = 60016
	CodeTooFrequent1     = 60018
	CodeTooFrequent2     = 60019
	CodePlanExpired      = 60020
	CodeIPNotAllowed     = 60021
	CodeSigExpired       = 70001
	CodeSigInvalid       = 70003
	CodeSigInvalid2      = 70005
	CodeSigWrongAdmin    = 70009
	CodeSigWrongApp      = 70013
	CodeSigWrongKey      = 70014
	CodeKeyNotFound      = 70016
	CodeAppNotFound      = 70020
	CodeTooManyBadSigs   = 70050
	CodeSigInvalidated   = 70052
	CodeSigInternal1     = 70169
	CodeSigInternal2     = 70500
)

var classOf = map[int]Class{
	0: ClassOK,
	// throttled
	CodeGroupFreq: ClassThrottled, CodeRESTRate: ClassThrottled, CodeAppRate: ClassThrottled,
	CodeTooFrequent1: ClassThrottled, CodeTooFrequent2: ClassThrottled,
	// transient
	CodeInternal: ClassTransient, CodeSNSInternal: ClassTransient, CodeSNSTimeout: ClassTransient,
	CodeSNSWriteConflict: ClassTransient, CodeRCInternal: ClassTransient, CodeRCTimeout: ClassTransient,
	CodeTimeout: ClassTransient, CodeSigInternal1: ClassTransient, CodeSigInternal2: ClassTransient,
	CodeSecurityTimeout: ClassTransient,
	// renew
	CodeSigExpired: ClassRenew, CodeSigInvalidated: ClassRenew,
	// fatal
	CodeBadSDKAppID: ClassFatal, CodeNeedAdmin: ClassFatal, CodeAppDisabled: ClassFatal,
	CodePlanExpired: ClassFatal, CodeIPNotAllowed: ClassFatal, CodeSigInvalid: ClassFatal,
	CodeSigInvalid2: ClassFatal, CodeSigWrongAdmin: ClassFatal, CodeSigWrongApp: ClassFatal,
	CodeSigWrongKey: ClassFatal, CodeKeyNotFound: ClassFatal, CodeAppNotFound: ClassFatal,
	CodeTooManyBadSigs: ClassFatal, CodeBadCommand: ClassFatal, CodeBadSignature: ClassFatal,
	// The admin-rights codes of each family are as fatal as 60010: every request will fail.
	CodeSNSNeedAdmin: ClassFatal, CodeRCNeedAdmin: ClassFatal,
}

// ClassOf returns the class of an ErrorCode or ResultCode. Codes API.md does not list are
// permanent item failures: the safe reading of an unknown refusal is "this item, not the run".
// ClassDone is never returned: whether 10021 or 51012 means "already done" depends on what the
// caller sent, so the caller decides.
func ClassOf(code int) Class {
	if c, ok := classOf[code]; ok {
		return c
	}
	return ClassPermanent
}

// ClassOfHTTP classifies a non-200 HTTP status: 5xx and 429 are transient, the rest fatal
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
