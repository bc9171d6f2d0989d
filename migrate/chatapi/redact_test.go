package chatapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// leaks returns what of the credentials shows in err, through every way it may be printed
// or unwrapped.
func leaks(err error, secrets ...string) []string {
	var texts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
	}
	var e *Error
	if errors.As(err, &e) {
		texts = append(texts, e.Info)
	}
	all := strings.ToLower(strings.Join(texts, "\n"))
	var found []string
	for _, s := range append(secrets, "usersig=", "usersig%3d") {
		if s != "" && strings.Contains(all, strings.ToLower(s)) {
			found = append(found, s)
		}
	}
	return found
}

// TestNoCredentialInErrors: refused, hung, reset, proxy-echoed and refused-by-auth requests
// produce errors that name the endpoint but hold neither the key nor the UserSig, and say
// rightly whether the request may have been applied (Sent).
func TestNoCredentialInErrors(t *testing.T) {
	refused := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}
	serve := func(h http.HandlerFunc) func(t *testing.T) string {
		return func(t *testing.T) string {
			ts := httptest.NewServer(h)
			t.Cleanup(ts.Close)
			return ts.URL
		}
	}
	// hijack takes the connection over after the request was read, then misbehaves.
	hijack := func(then func(c net.Conn, rw *bufio.ReadWriter)) func(t *testing.T) string {
		return serve(func(w http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body)
			c, rw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			defer c.Close()
			then(c, rw)
		})
	}
	// hang holds the answer back until the client gives up: with the body read, the server
	// notices the closed connection and cancels the request's context.
	hang := serve(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	echo := func(w http.ResponseWriter, r *http.Request) string {
		q := r.URL.Query()
		return fmt.Sprintf("proxy saw %s %s raw=%s sig=%s key=%s", r.Method, r.URL.String(), r.URL.RawQuery, q.Get("usersig"), testKey)
	}
	tests := []struct {
		name     string
		server   func(t *testing.T) string
		timeout  time.Duration
		ctx      func() (context.Context, context.CancelFunc)
		class    Class
		sent     bool
		status   int
		is       error // errors.Is must hold
		contains string
	}{
		{name: "refused", server: refused, class: ClassTransient, sent: false, contains: "sns/group_add: dial tcp"},
		{name: "hang past the client timeout", timeout: 150 * time.Millisecond,
			server: hang, class: ClassTransient, sent: true, is: context.DeadlineExceeded, contains: "no answer within 150ms"},
		{name: "caller cancelled before sending", server: serve(func(http.ResponseWriter, *http.Request) {}),
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			class: ClassTransient, sent: false, is: context.Canceled},
		{name: "caller deadline while waiting", server: hang,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			},
			class: ClassTransient, sent: true, is: context.DeadlineExceeded},
		{name: "closed before the answer", server: hijack(func(net.Conn, *bufio.ReadWriter) {}), class: ClassTransient, sent: true},
		{name: "reset before the answer", server: hijack(func(c net.Conn, _ *bufio.ReadWriter) { c.(*net.TCPConn).SetLinger(0) }),
			class: ClassTransient, sent: true},
		{name: "closed mid-answer", server: hijack(func(c net.Conn, rw *bufio.ReadWriter) {
			rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"ActionStatus\":\"OK\",")
			rw.Flush()
		}), class: ClassTransient, sent: true, is: io.ErrUnexpectedEOF},
		{name: "reset mid-answer", server: hijack(func(c net.Conn, rw *bufio.ReadWriter) {
			rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"ActionStatus\":\"OK\",")
			rw.Flush()
			c.(*net.TCPConn).SetLinger(0)
		}), class: ClassTransient, sent: true},
		{name: "garbage answer echoing the URL", server: hijack(func(c net.Conn, rw *bufio.ReadWriter) {
			rw.WriteString("HTTP/1.1 200 OK\r\nbroken header line\r\n\r\n")
			rw.Flush()
		}), class: ClassTransient, sent: true},
		{name: "502 echoing the URL", server: serve(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, echo(w, r))
		}), class: ClassTransient, sent: true, status: 502, contains: "proxy saw POST /v4/sns/group_add?[redacted]"},
		{name: "200 not JSON echoing the URL", server: serve(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, echo(w, r))
		}), class: ClassTransient, sent: true, status: 200, contains: "undecodable"},
		{name: "auth error echoing the signature", server: serve(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"ActionStatus":"FAIL","ErrorCode":70003,"ErrorInfo":%q}`, "invalid: "+echo(w, r))
		}), class: ClassFatal, sent: true, status: 200, contains: "invalid: proxy saw"},
	}
	for _, tt := range tests {
		for _, precomputed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/precomputed=%v", tt.name, precomputed), func(t *testing.T) {
				base := tt.server(t)
				const fixedSig = "eJwtjF0LgjAYRv*K7LrC5dTmoIsoCsEuoqLoJtb2Gm-LSW72Rf892-_"
				c := newClient(t, base, func(cfg *Config) {
					if tt.timeout > 0 {
						cfg.Timeout = tt.timeout
					}
					if precomputed {
						cfg.SecretKey, cfg.UserSig = "", fixedSig
					}
				})
				sig, err := c.sigs.current()
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if tt.ctx != nil {
					ctx, cancel = tt.ctx()
				}
				defer cancel()
				resp, err := c.GroupAdd(ctx, &GroupAddRequest{From_Account: "a", GroupName: []string{"g"}})
				if err == nil {
					t.Fatalf("no error; response %+v", resp)
				}
				t.Log(err)
				e := asError(t, err)
				key := testKey
				if precomputed {
					key = "" // the client never had it: the echoing server alone knows it
				}
				if bad := leaks(err, key, sig, url.QueryEscape(sig)); len(bad) > 0 {
					t.Fatalf("error shows %q:\n%v\n%+v", bad, err, err)
				}
				if e.Class != tt.class || e.Sent != tt.sent || e.HTTPStatus != tt.status || e.Endpoint != PathGroupAdd {
					t.Fatalf("error %+v, want class %s sent %v status %d", e, tt.class, tt.sent, tt.status)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Fatalf("errors.Is(%v, %v) is false", err, tt.is)
				}
				if !strings.Contains(err.Error(), tt.contains) {
					t.Fatalf("error %q lacks %q", err, tt.contains)
				}
				if e.Err != nil && !strings.HasPrefix(e.Err.Error(), "POST /v4/"+PathGroupAdd+": ") {
					t.Fatalf("transport error %q does not name the endpoint alone", e.Err)
				}
			})
		}
	}
}

func TestExcerpt(t *testing.T) {
	s := newScrubber("sdkappid=1&usersig=S%2AIG", "S*IG", "KEY")
	tests := []struct{ in, want string }{
		{"plain  text\n\twith\r\nspaces", "plain text with spaces"},
		{"S*IG and S%2AIG and KEY", "[redacted] and [redacted] and [redacted]"},
		{"K\x00EY joined by a control", "[redacted] joined by a control"},
		{"x?sdkappid=1&usersig=S%2AIG y", "x?[redacted] y"},
		{"USERSIG=anything&b=1", "[redacted]&b=1"},
		{strings.Repeat("é", 150), strings.Repeat("é", 100) + "..."},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 12)], func(t *testing.T) {
			if got := s.excerpt([]byte(tt.in)); got != tt.want {
				t.Fatalf("excerpt(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzExcerpt: whatever a server answers, the excerpt put into an error holds no credential.
func FuzzExcerpt(f *testing.F) {
	const sig, key = "eJw*sig-_", "k3y secret"
	s := newScrubber("usersig="+url.QueryEscape(sig), sig, key)
	f.Add([]byte("usersig=" + sig))
	f.Add([]byte("k3y\x01 secret " + sig))
	f.Add([]byte("eJw%2Asig-_ usersig%3Dx"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got := s.excerpt(body)
		// The credentials are case-sensitive: "ejw*sig-_" is not the UserSig "eJw*sig-_".
		// The parameter name is matched in any case, as a server might echo it.
		for _, bad := range []string{sig, key, url.QueryEscape(sig)} {
			if strings.Contains(got, bad) {
				t.Fatalf("excerpt %q holds %q", got, bad)
			}
		}
		if strings.Contains(strings.ToLower(got), "usersig=") {
			t.Fatalf("excerpt %q holds a usersig parameter", got)
		}
	})
}
