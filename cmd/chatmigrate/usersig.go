package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// checkUserSig checks a precomputed UserSig before anything is sent, as far as that is
// possible without the secret key: that it decodes as one, and names this SDKAppID and
// identifier, and has not expired. source names where it came from (TIM_USERSIG, or the
// --usersig-file); the error names source, never the UserSig, and never blames the key,
// which this run does not have.
func checkUserSig(sig, source string, sdkappid uint64, identifier string, now time.Time) error {
	// Without the key the signature itself cannot be checked, so its mismatch is the
	// expected outcome; every other check comes before it.
	err := tencentyun.VerifyUserSig(sdkappid, "", identifier, sig, now)
	switch {
	case err == nil, errors.Is(err, tencentyun.ErrSigNotMatch):
		return nil
	case errors.Is(err, tencentyun.ErrSdkAppIDNotMatch):
		return fmt.Errorf("the UserSig in %s is not for SDKAppID %d (or is not a UserSig): make one for this SDKAppID and identifier %s", source, sdkappid, identifier)
	case errors.Is(err, tencentyun.ErrIdentifierNotMatch):
		return fmt.Errorf("the UserSig in %s is not for identifier %s: make one for it, or pass the identifier it was made for with --identifier", source, identifier)
	case errors.Is(err, tencentyun.ErrExpired):
		return fmt.Errorf("the UserSig in %s has expired: make a new one (with the secret key, the run makes its own)", source)
	}
	return fmt.Errorf("%s does not hold a UserSig: it does not decode as one (copy it whole, on one line)", source)
}
