package chatapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestAuthCodes pins the names the hints and chatsim branch on to the vendor's numbers
// (docs/vendor-api.md, "UserSig and auth codes"): these three were once permuted.
func TestAuthCodes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"CodeSigWrongKey: signed with another app's key", CodeSigWrongKey, 70009},
		{"CodeSigWrongAdmin: signed for another identifier", CodeSigWrongAdmin, 70013},
		{"CodeSigWrongApp: signed for another SDKAppID", CodeSigWrongApp, 70014},
		{"CodeWrongRegion", CodeWrongRegion, 60026},
		{"CodeTrialQuota", CodeTrialQuota, 60028},
		{"CodeRCPinnedLimit", CodeRCPinnedLimit, 51012},
		{"CodeAnswerTooBig", CodeAnswerTooBig, 10018},
		{"CodeRCTooManyContacts", CodeRCTooManyContacts, 51006},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("= %d, want %d", tc.got, tc.want)
			}
		})
	}
}

func TestIsTooBig(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"10018", &Error{Code: CodeAnswerTooBig, Class: ClassOf(CodeAnswerTooBig)}, true},
		{"51006, wrapped", fmt.Errorf("chunk 3: %w", &Error{Code: CodeRCTooManyContacts, Class: ClassOf(CodeRCTooManyContacts)}), true},
		{"an item failure", &Error{Code: CodeRCGroupFull, Class: ClassOf(CodeRCGroupFull)}, false},
		{"not an API error", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTooBig(tc.err); got != tc.want {
				t.Errorf("IsTooBig(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestClassRetryable: the classes that sending the same request again may cure.
func TestClassRetryable(t *testing.T) {
	for c, want := range map[Class]bool{
		ClassOK: false, ClassDone: false, ClassPermanent: false, ClassTransient: true, ClassThrottled: true,
		ClassRenew: true, ClassFatal: false, ClassTooBig: false, ClassRetryThenFatal: true,
	} {
		if got := c.Retryable(); got != want {
			t.Errorf("%s.Retryable() = %v, want %v", c, got, want)
		}
		if s := c.String(); strings.HasPrefix(s, "class(") {
			t.Errorf("class %d has no name: %q", int(c), s)
		}
	}
}
