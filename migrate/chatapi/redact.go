package chatapi

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

const redacted = "[redacted]"

// querySig matches a usersig parameter in any echo of a request URL, whatever its encoding.
var querySig = regexp.MustCompile(`(?i)usersig(=|%3D)[^&\s"'<>]*`)

// scrubber removes credentials from text that goes into an error: the request's query string,
// the UserSig in its raw and URL-encoded forms, and the secret key. Errors are written to logs
// and reports, where a credential must never land (docs/vendor-api.md,
// "UserSig and auth codes").
type scrubber struct {
	secrets []string // longest first, so that a secret containing another goes first
}

func newScrubber(query, sig, key string) scrubber {
	var s scrubber
	for _, v := range []string{query, sig, url.QueryEscape(sig), url.PathEscape(sig), key} {
		if v != "" {
			s.secrets = append(s.secrets, v)
		}
	}
	// Longest first: the query holds the escaped signature; replacing it whole reads better.
	slices.SortStableFunc(s.secrets, func(a, b string) int { return len(b) - len(a) })
	return s
}

// scrub returns text with every credential replaced by "[redacted]".
func (s scrubber) scrub(text string) string {
	for _, v := range s.secrets {
		text = strings.ReplaceAll(text, v, redacted)
	}
	return querySig.ReplaceAllString(text, redacted)
}

// clean reports whether text holds no credential.
func (s scrubber) clean(text string) bool {
	return s.scrub(text) == text
}

// excerpt returns the start of a body as one short, printable, credential-free line. It
// scrubs before cutting (a cut could split a signature and hide it from the scrubber), and
// again after dropping control characters, which could otherwise join a split secret.
func (s scrubber) excerpt(body []byte) string {
	const max = 200
	text := s.scrub(strings.ToValidUTF8(string(body), "\uFFFD"))
	text = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, text)
	text = s.scrub(strings.Join(strings.Fields(text), " "))
	if len(text) > max {
		cut := max
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "..."
	}
	return text
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// transportError is a transport failure rebuilt without the request URL: a *url.Error prints
// the whole URL, usersig included, so only the method and the endpoint path are kept.
type transportError struct {
	msg   string // "POST /v4/{path}: " + text
	text  string // the cause, scrubbed
	cause error  // what errors.Is and errors.As reach; never an error whose text holds a secret
}

func (e *transportError) Error() string { return e.msg }
func (e *transportError) Unwrap() error { return e.cause }

// redactTransport rebuilds err (from http.Client.Do or a body read) as
// "POST /v4/{path}: {cause}", scrubbing the cause's text. When the cause itself prints a
// credential it is not exposed through Unwrap; the context errors still are, so that
// errors.Is(err, context.Canceled) keeps working.
func redactTransport(err error, path string, s scrubber, extra string) *transportError {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	text := cause.Error()
	if extra != "" {
		text = extra + " (" + text + ")"
	}
	text = s.scrub(text)
	msg := "POST /v4/" + path + ": " + text
	if !s.clean(cause.Error()) {
		switch {
		case errors.Is(cause, context.Canceled):
			cause = context.Canceled
		case errors.Is(cause, context.DeadlineExceeded):
			cause = context.DeadlineExceeded
		default:
			cause = nil
		}
	}
	return &transportError{msg: msg, text: text, cause: cause}
}
