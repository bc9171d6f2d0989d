package pacer

import (
	"context"
	"fmt"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// FatalError stopped every request: an answer that every further request would get too (a
// wrong key, region or admin), or an outage. Nothing was sent after it. It holds facts only;
// naming the likely cause and its fix is the command line's job.
type FatalError struct {
	// Err is the answer that stopped the pacer; for an outage, the last request's failure.
	Err *chatapi.Error
	// Outage is the number of attempts in a row that got no answer at all when they stopped
	// the pacer (the network is down, or the endpoint is wrong); 0 when an answer of the API
	// stopped it.
	Outage int
	// Silence is how long the API had given no answer when the outage stopped the pacer
	// (Options.OutageAfter at least); 0 when an answer stopped it.
	Silence time.Duration
}

// Error says what stopped the run; it never holds a credential (chatapi.Error does not).
func (e *FatalError) Error() string { return "stopped: " + e.Err.Error() }

// Unwrap returns the *chatapi.Error.
func (e *FatalError) Unwrap() error { return e.Err }

// ExhaustedError is a request given up after its retries: it may succeed in a later run that
// sends the failed requests again.
type ExhaustedError struct {
	Attempts int
	Last     *chatapi.Error
}

func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("gave up after %d attempts: %v", e.Attempts, e.Last)
}

// Unwrap returns the last attempt's *chatapi.Error.
func (e *ExhaustedError) Unwrap() error { return e.Last }

// GiveUpError marks an error the retry loop stops at without classifying it (see GiveUp).
type GiveUpError struct{ Err error }

func (e *GiveUpError) Error() string { return e.Err.Error() }

// Unwrap returns the error given up at.
func (e *GiveUpError) Unwrap() error { return e.Err }

// GiveUp wraps err so that Do returns it at once instead of retrying it by its class: send
// returns GiveUp(err) to hand control back to the code that called Do (e.g. to settle an
// in-doubt request by reading before sending it again).
func GiveUp(err error) error { return &GiveUpError{err} }

// Capture returns a send for Do that calls api with req and keeps the answer of the attempt
// that succeeded in *resp: Do retries, so only a successful attempt may set it.
func Capture[Req, Resp any](resp *Resp, api func(context.Context, Req) (Resp, error), req Req) func(context.Context) error {
	return func(ctx context.Context) error {
		r, err := api(ctx, req)
		if err == nil {
			*resp = r
		}
		return err
	}
}
