package migrate

import (
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// FatalError stopped the whole run: an answer that every further request would get too (a
// wrong key, region or admin). Nothing was sent after it. Hint names the likely cause, its
// fix, and how to resume.
type FatalError struct {
	Err  *chatapi.Error
	Hint string
}

// Error says what stopped the run; it never holds a credential (chatapi.Error does not).
func (e *FatalError) Error() string { return "stopped: " + e.Err.Error() }

// Unwrap returns the *chatapi.Error.
func (e *FatalError) Unwrap() error { return e.Err }

// resumeHint ends every hint: the checkpoint makes the fix cheap.
const resumeHint = " Then run the same command again with the same --checkpoint: finished work is skipped."

func newFatalError(ce *chatapi.Error) *FatalError {
	return &FatalError{Err: ce, Hint: fatalHint(ce) + resumeHint}
}

// fatalHint names the likely cause of a fatal answer (API.md "Common errors").
func fatalHint(ce *chatapi.Error) string {
	switch ce.Code {
	case chatapi.CodeSigWrongKey, chatapi.CodeSigInvalid, chatapi.CodeSigInvalid2:
		return "The UserSig was refused: the secret key does not belong to this SDKAppID. Check TIM_SECRET_KEY (or --secret-key-file) against the console."
	case chatapi.CodeKeyNotFound, chatapi.CodeAppNotFound:
		return "The SDKAppID or its key is unknown at this endpoint: the app most likely lives in another region. Check --region (or --endpoint)."
	case chatapi.CodeNeedAdmin, chatapi.CodeSigWrongAdmin, chatapi.CodeSNSNeedAdmin, chatapi.CodeRCNeedAdmin:
		return "The identifier is not an App admin of this app. Check --identifier (or TIM_IDENTIFIER; default administrator)."
	case chatapi.CodeBadSDKAppID, chatapi.CodeSigWrongApp:
		return "The SDKAppID is wrong or does not match the key. Check --sdkappid (or TIM_SDKAPPID)."
	case chatapi.CodeTooManyBadSigs:
		return "Too many bad signatures: the server refuses this app for about 60 s. Fix the key (TIM_SECRET_KEY) and wait a minute."
	case chatapi.CodeAppDisabled, chatapi.CodePlanExpired:
		return "The app is disabled or its plan has expired. Check the app in the Chat console."
	case chatapi.CodeIPNotAllowed:
		return "This machine's IP address is not allowed by the app's IP allowlist. Check the console's security settings."
	case chatapi.CodeBadCommand, chatapi.CodeBadSignature:
		return "The server does not know the request's command or signature: check --endpoint (or --region)."
	}
	if ce.HTTPStatus != 0 && ce.HTTPStatus != 200 {
		return "The endpoint answered with an HTTP error that every request would get: check --endpoint (or --region)."
	}
	return "Every further request would fail the same way."
}
