package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/chatmigrate/chatmigrate/checkpoint"
	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/migrate/pacer"
)

// The library packages return typed errors and never name a flag or an environment
// variable; the advice that does lives here, where the flags are declared.

// resumeHint ends every fatal hint: the checkpoint makes the fix cheap.
const resumeHint = " Then run the same command again with the same --checkpoint: finished work is skipped."

// fatalHint names the likely cause of a fatal stop, its fix, and how to resume.
func fatalHint(fe *pacer.FatalError) string {
	if fe.Outage > 0 {
		return fmt.Sprintf("The API has not answered any request for %s (%d attempts in a row): "+
			"the network is down, or --endpoint (or --region) is wrong. Nothing was recorded as failed. "+
			"If the network only needs longer to come back, raise --outage-after (e.g. --outage-after 5m).",
			fe.Silence.Round(time.Second), fe.Outage) + resumeHint
	}
	return causeHint(fe.Err) + resumeHint
}

// fatalHintFor is fatalHint for a run that signs with a precomputed UserSig from userSig
// (TIM_USERSIG or the file named; "" when it signs with the secret key): a refused
// signature is then the UserSig's fault, and the key, which the run does not have, is not
// to check.
func fatalHintFor(fe *pacer.FatalError, userSig string) string {
	if userSig == "" || fe.Outage > 0 {
		return fatalHint(fe)
	}
	switch fe.Err.Code {
	case chatapi.CodeSigWrongKey, chatapi.CodeSigInvalid, chatapi.CodeSigInvalid2, chatapi.CodeSigWrongApp,
		chatapi.CodeSigWrongAdmin, chatapi.CodeTooManyBadSigs, chatapi.CodeSigExpired, chatapi.CodeSigInvalidated:
		return "The UserSig from " + userSig + " was refused: it is damaged, expired, or made with a key, " +
			"SDKAppID or identifier other than this run's. Make a new one for this SDKAppID and --identifier " +
			"(or give the secret key: TIM_SECRET_KEY or --secret-key-file)." + resumeHint
	}
	return fatalHint(fe)
}

// causeHint names the likely cause of a fatal answer (docs/vendor-api.md, "UserSig and auth
// codes" and "Error classes").
func causeHint(ce *chatapi.Error) string {
	switch ce.Code {
	case chatapi.CodeSigWrongKey, chatapi.CodeSigInvalid, chatapi.CodeSigInvalid2:
		return "The UserSig was refused: the secret key does not belong to this SDKAppID. Check TIM_SECRET_KEY (or --secret-key-file) against the console."
	case chatapi.CodeWrongRegion:
		return "This endpoint is not the app's region: it answers 60026 (wrong region) to every request. Check --region (or --endpoint)."
	case chatapi.CodeKeyNotFound, chatapi.CodeAppNotFound:
		return "The SDKAppID or its key is unknown at this endpoint: the app most likely lives in another region. Check --region (or --endpoint)."
	case chatapi.CodeNeedAdmin, chatapi.CodeNotAdmin, chatapi.CodeSNSNeedAdmin, chatapi.CodeRCNeedAdmin:
		return "The identifier is not an App admin of this app. Check --identifier (or TIM_IDENTIFIER; default administrator)."
	case chatapi.CodeSigWrongAdmin:
		return "The UserSig was signed for another identifier than the one the requests name. Check --identifier (or TIM_IDENTIFIER; default administrator)."
	case chatapi.CodeSigWrongApp:
		return "The UserSig was signed for another SDKAppID than the one the requests name. Check --sdkappid (or TIM_SDKAPPID)."
	case chatapi.CodeBadSDKAppID:
		return "The SDKAppID is wrong or does not match the key. Check --sdkappid (or TIM_SDKAPPID)."
	case chatapi.CodeNoSDKAppID:
		return "The server received no SDKAppID with the requests. Check --sdkappid (or TIM_SDKAPPID)."
	case chatapi.CodeBadResource:
		return "The server refused the requests' resource: the endpoint's address is wrong. Check --endpoint (or --region)."
	case chatapi.CodeTrialQuota:
		return "The app's Trial Edition has used up its 24-hour quota. Wait until the quota renews, or upgrade the app's edition in the Chat console."
	case chatapi.CodeRequestDisabled:
		return "The service has disabled these requests for this app (60017). Check the app in the Chat console, or ask the vendor why."
	case chatapi.CodeAppRefused:
		return "The app's configuration refused every request (60025; the vendor's list says no more). Check the app in the Chat console."
	case chatapi.CodeTooManyBadSigs:
		return "Too many bad signatures: the server refuses this app for about 60 s. Fix the key (TIM_SECRET_KEY) and wait a minute."
	case chatapi.CodeAppDisabled, chatapi.CodePlanExpired:
		return "The app is disabled or its plan has expired. Check the app in the Chat console."
	case chatapi.CodeIPNotAllowed:
		return "This machine's IP address is not allowed by the app's IP allowlist. Check the console's security settings."
	case chatapi.CodeBadSignature:
		return "The server's signature check refused the request again and again (10008). Check the secret key (TIM_SECRET_KEY or --secret-key-file) and --sdkappid."
	case chatapi.CodeBadCommand:
		return "The server does not know the request's command or signature: check --endpoint (or --region)."
	}
	if ce.HTTPStatus != 0 && ce.HTTPStatus != 200 {
		return "The endpoint answered with an HTTP error that every request would get: check --endpoint (or --region)."
	}
	return "Every further request would fail the same way."
}

// checkpointHint is the advice for a checkpoint that cannot be resumed as it is, or "".
func checkpointHint(err error) string {
	var ve *checkpoint.VersionError
	var ce *checkpoint.CorruptError
	switch {
	case errors.As(err, &ve) && ve.Got < ve.Want:
		return "finish that migration with the version that wrote it, or move the file aside and run again with a new --checkpoint " +
			"(what the target already holds is found there and not sent twice)"
	case errors.As(err, &ve):
		return "use the version of chatmigrate that wrote it, or a new --checkpoint"
	case errors.As(err, &ce):
		return "move the file aside and use a new --checkpoint, or cut it at that offset if losing the entries after it is acceptable"
	}
	return ""
}

// withHint returns err with the advice for it after its message, or err itself when there
// is none. The result still unwraps to err, so that exitCode maps it as before.
func withHint(err error) error {
	if h := checkpointHint(err); h != "" {
		return &hintedError{err: err, hint: h}
	}
	return err
}

// hintedError is an error followed by the advice for it.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() + ": " + e.hint }
func (e *hintedError) Unwrap() error { return e.err }
