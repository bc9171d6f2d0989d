package chatapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// maxAnswer bounds the body read from one answer; the largest real answers (a page of
// get_contact_group, all topics of a community) are far smaller.
const maxAnswer = 64 << 20

// Response is an answer type: every one embeds BaseResponse.
type Response interface{ Base() *BaseResponse }

// Call posts req as JSON to {base}/v4/{path} and decodes the answer into resp (non-nil). It
// returns nil only when the answer's ErrorCode is 0; otherwise a *Error. resp holds the decoded
// answer whenever one was decoded, even with a non-zero ErrorCode, so the caller can read
// per-item results; those are never turned into an error here.
func (c *Client) Call(ctx context.Context, path string, req any, resp Response) error {
	_, err := c.call(ctx, path, req, resp)
	return err
}

// call is Call, also reporting whether a body was decoded into resp.
func (c *Client) call(ctx context.Context, path string, req any, resp Response) (decoded bool, err error) {
	path = strings.Trim(path, "/")
	if path == "" || strings.ContainsAny(path, "?# ") {
		return false, &Error{Endpoint: path, Class: ClassFatal, Info: "invalid endpoint path"}
	}
	if resp == nil {
		return false, &Error{Endpoint: path, Class: ClassFatal, Info: "no response value to decode into"}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return false, &Error{Endpoint: path, Class: ClassFatal, Info: "encode request: " + err.Error(), Err: err}
	}
	if string(body) == "null" {
		body = []byte("{}") // the body is never empty (docs/vendor-api.md, "Transport")
	}
	sig, err := c.sigs.current()
	if err != nil {
		s := newScrubber("", "", c.key)
		return false, &Error{Endpoint: path, Class: ClassFatal, Info: s.scrub(err.Error())}
	}
	q := url.Values{
		"sdkappid":    {strconv.FormatUint(c.app, 10)},
		"identifier":  {c.admin},
		"usersig":     {sig},
		"random":      {strconv.FormatUint(uint64(rand.Uint32()), 10)},
		"contenttype": {"json"},
	}.Encode()
	s := newScrubber(q, sig, c.key)

	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// Sent: once the whole request was written, the server may apply it even if no answer
	// comes back; the caller must then treat the outcome as unknown.
	var wrote atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	})
	hreq, err := http.NewRequestWithContext(rctx, http.MethodPost, c.base+"/v4/"+path+"?"+q, bytes.NewReader(body))
	if err != nil {
		te := redactTransport(err, path, s, "")
		return false, &Error{Endpoint: path, Class: ClassFatal, Info: te.text, Err: te}
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")

	res, err := c.hc.Do(hreq)
	if err != nil {
		return false, c.transportFailure(ctx, err, path, s, wrote.Load())
	}
	defer func() {
		// Drained and closed, the connection goes back to the keep-alive pool.
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 256<<10))
		res.Body.Close()
	}()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
	if err != nil {
		return false, c.transportFailure(ctx, err, path, s, true)
	}
	if res.StatusCode != http.StatusOK {
		info := strconv.Itoa(res.StatusCode) + " " + http.StatusText(res.StatusCode)
		if ex := s.excerpt(raw); ex != "" {
			info += ": " + ex
		}
		return false, &Error{Endpoint: path, HTTPStatus: res.StatusCode, Class: ClassOfHTTP(res.StatusCode), Info: info, Sent: true}
	}
	if len(raw) > maxAnswer {
		return false, &Error{Endpoint: path, HTTPStatus: 200, Class: ClassTransient, Sent: true,
			Info: fmt.Sprintf("answer larger than %d MiB", maxAnswer>>20)}
	}
	if err := json.Unmarshal(raw, resp); err != nil {
		return false, &Error{Endpoint: path, HTTPStatus: 200, Class: ClassTransient, Sent: true,
			Info: "undecodable answer: " + s.scrub(err.Error()) + ": " + s.excerpt(raw)}
	}
	b := resp.Base()
	if b.ErrorCode == 0 {
		// A body without ActionStatus is not the vendor's (a proxy's "{}"): success cannot be
		// assumed from it. A FAIL without a code is equally unreadable.
		if b.ActionStatus == "" || strings.EqualFold(b.ActionStatus, "FAIL") {
			return false, &Error{Endpoint: path, HTTPStatus: 200, Class: ClassTransient, Sent: true,
				Info: "answer without an ErrorCode: " + s.excerpt(raw)}
		}
		return true, nil
	}
	return true, c.codeError(path, b, sig, s)
}

// codeError builds the error of a non-zero ErrorCode and renews the UserSig when the server
// says it lapsed.
func (c *Client) codeError(path string, b *BaseResponse, sig string, s scrubber) *Error {
	e := &Error{Endpoint: path, HTTPStatus: 200, Code: b.ErrorCode, Info: s.scrub(b.ErrorInfo),
		Class: ClassOf(b.ErrorCode), Sent: true}
	if e.Class != ClassRenew {
		return e
	}
	if c.key == "" {
		e.Class = ClassFatal
		e.Info = "the UserSig expired or was invalidated (" + e.Info + "): supply a fresh UserSig, " +
			"or the secret key so that chatmigrate generates and renews it"
		return e
	}
	if err := c.sigs.renewIfCurrent(sig); err != nil {
		e.Class = ClassFatal
		e.Info += "; renewing the UserSig failed: " + s.scrub(err.Error())
	}
	return e
}

// transportFailure builds the error of a request that got no complete answer. Unwrap reaches
// the context's error when ctx is done, so errors.Is(err, context.Canceled) works.
func (c *Client) transportFailure(ctx context.Context, err error, path string, s scrubber, sent bool) *Error {
	extra := ""
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		extra = "no answer within " + c.timeout.String()
	}
	te := redactTransport(err, path, s, extra)
	if cerr := ctx.Err(); cerr != nil && !errors.Is(te, cerr) {
		te = &transportError{msg: te.msg + " (" + cerr.Error() + ")", text: te.text + " (" + cerr.Error() + ")", cause: cerr}
	}
	return &Error{Endpoint: path, Class: ClassTransient, Info: te.text, Sent: sent, Err: te}
}

// do calls path and returns the typed answer, or nil when no body was decoded.
func do[T any, P interface {
	*T
	Response
}](ctx context.Context, c *Client, path string, req any) (P, error) {
	resp := P(new(T))
	decoded, err := c.call(ctx, path, req, resp)
	if !decoded {
		return nil, err
	}
	return resp, err
}
