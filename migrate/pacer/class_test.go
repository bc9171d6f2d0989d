package pacer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// TestTooBig: a request the vendor finds too big (10018, 51006) is sent once and handed back
// as the *chatapi.Error of ClassTooBig, for the caller to split: neither retried as it is,
// nor given up as an item failure (*ExhaustedError), nor a stop of the run.
func TestTooBig(t *testing.T) {
	for _, code := range []int{chatapi.CodeAnswerTooBig, chatapi.CodeRCTooManyContacts} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			p := New(testOptions())
			send, n := script(fmt.Errorf("chunk: %w", codeErr(code)))
			err := p.Do(context.Background(), "ep", send)
			var ce *chatapi.Error
			var ex *ExhaustedError
			var fe *FatalError
			if !errors.As(err, &ce) || ce.Code != code || ce.Class != chatapi.ClassTooBig || !chatapi.IsTooBig(err) {
				t.Fatalf("err %v, want the %d error of class too-big", err, code)
			}
			if errors.As(err, &ex) || errors.As(err, &fe) || p.Stopped() != nil {
				t.Fatalf("err %v: given up or stopped, want it handed back to be split", err)
			}
			if n.Load() != 1 {
				t.Fatalf("%d sends, want 1: the same request would be too big again", n.Load())
			}
			mustNil(t, p.Do(context.Background(), "ep", func(context.Context) error { return nil }))
		})
	}
}

// TestRetryThenFatal: 10008 ("signature check failed, try again") is retried, and stops the
// run after maxRetryThenFatal attempts that all got it.
func TestRetryThenFatal(t *testing.T) {
	sig := codeErr(chatapi.CodeBadSignature)
	t.Run("cured by a retry", func(t *testing.T) {
		p := New(testOptions())
		send, n := script(sig)
		mustNil(t, p.Do(context.Background(), "ep", send))
		if n.Load() != 2 || p.Stopped() != nil {
			t.Fatalf("%d sends, stopped %v; want 2 sends and no stop", n.Load(), p.Stopped())
		}
	})
	t.Run("every attempt refused", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := New(testOptions())
			send, n := script(sig, sig, sig, sig, sig, sig)
			err := p.Do(context.Background(), "ep", send)
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Err.Code != chatapi.CodeBadSignature || p.Stopped() != fe {
				t.Fatalf("err %v, stopped %v; want the FatalError of 10008", err, p.Stopped())
			}
			if n.Load() != maxRetryThenFatal {
				t.Fatalf("%d sends, want %d", n.Load(), maxRetryThenFatal)
			}
			sent := false
			err = p.Do(context.Background(), "other", func(context.Context) error { sent = true; return nil })
			if sent || !errors.As(err, &fe) {
				t.Fatalf("after the stop: sent %v, err %v", sent, err)
			}
		})
	})
}

// TestVendorClasses: codes whose class docs/vendor-api.md, "Error classes", corrected. A
// wrong region, a trial quota used up and the app configuration's refusals stop the run at
// the first answer; the transient ones are retried until they pass.
func TestVendorClasses(t *testing.T) {
	fatal := []int{chatapi.CodeWrongRegion, chatapi.CodeTrialQuota, chatapi.CodeBadResource, chatapi.CodeNoSDKAppID,
		chatapi.CodeRequestDisabled, chatapi.CodeAppRefused, chatapi.CodeNotAdmin, chatapi.CodeKeyNotFound,
		chatapi.CodeAppNotFound, chatapi.CodeSigWrongKey, chatapi.CodeSigWrongAdmin, chatapi.CodeSigWrongApp}
	for _, code := range fatal {
		t.Run("fatal/"+strconv.Itoa(code), func(t *testing.T) {
			p := New(testOptions())
			send, n := script(codeErr(code), nil)
			err := p.Do(context.Background(), "ep", send)
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Err.Code != code || n.Load() != 1 {
				t.Fatalf("err %v after %d sends, want a FatalError %d after 1", err, n.Load(), code)
			}
		})
	}
	transient := []int{chatapi.CodeBadAccount, chatapi.CodeBadAccount2, chatapi.CodeAccountSwapTimeout,
		chatapi.CodeSigTimeout, chatapi.CodeSNSInternal, chatapi.CodeSNSTimeout, chatapi.CodeSNSWriteConflict,
		chatapi.CodeRCInternal, chatapi.CodeRCTimeout, chatapi.CodeSecurityTimeout}
	for _, code := range transient {
		t.Run("transient/"+strconv.Itoa(code), func(t *testing.T) {
			p := New(testOptions())
			send, n := script(codeErr(code), codeErr(code))
			if err := p.Do(context.Background(), "ep", send); err != nil || n.Load() != 3 {
				t.Fatalf("err %v after %d sends, want success on the 3rd", err, n.Load())
			}
		})
	}
}

// TestAppRateSlowsEveryEndpoint: 60011 says the app's requests over all APIs were too many
// (docs/vendor-api.md, "Error classes"): every endpoint slows down, not only the one that
// got it; another throttle code slows its own endpoint only.
func TestAppRateSlowsEveryEndpoint(t *testing.T) {
	for _, tc := range []struct {
		code      int
		otherCuts bool
	}{
		{chatapi.CodeAppRate, true},
		{chatapi.CodeRESTRate, false},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := New(Options{RPS: 200})
				mustNil(t, p.Do(context.Background(), "other", func(context.Context) error { return nil }))
				send, _ := script(codeErr(tc.code))
				mustNil(t, p.Do(context.Background(), "ep", send))
				if got := p.Limit("ep"); got >= 200 {
					t.Errorf("the throttled endpoint's limit is %v, want it cut", got)
				}
				if cut := p.Limit("other") < 200; cut != tc.otherCuts {
					t.Errorf("the other endpoint's limit is %v: cut %v, want %v", p.Limit("other"), cut, tc.otherCuts)
				}
			})
		})
	}
}
