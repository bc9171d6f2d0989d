package pacer

import "time"

// Observer is told of every attempt the pacer sends, after its answer (or failure) came.
// Attempt is called from the sending goroutine, so it must be quick and safe for concurrent
// use; it must not call back into the Pacer.
type Observer interface{ Attempt(Attempt) }

// Attempt describes one request sent.
type Attempt struct {
	Endpoint string
	Sent     time.Time
	Latency  time.Duration
	Retry    bool    // not the request's first attempt
	Err      error   // nil on success; a *chatapi.Error carries the class and code
	Limit    float64 // the endpoint's rate limit (requests/s) when it was sent
}
