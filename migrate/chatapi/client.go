package chatapi

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultIdentifier = "administrator"
	DefaultSigTTL     = 48 * time.Hour
	// DefaultTimeout is longer than the server's own 3 s limit, so that a slow answer is
	// received rather than abandoned (and left in doubt).
	DefaultTimeout = 10 * time.Second
)

// Config configures a Client. Either BaseURL or Region, and either SecretKey or UserSig, must
// be set.
type Config struct {
	BaseURL         string           // scheme://host[:port][/prefix]; "/v4/{path}" is appended
	Region          string           // a name from Regions, instead of BaseURL
	SDKAppID        uint64           // the application
	Identifier      string           // an App admin; default DefaultIdentifier
	SecretKey       string           // generates and renews UserSigs; never logged
	UserSig         string           // a precomputed UserSig, used when SecretKey is empty
	SigTTL          time.Duration    // validity of generated UserSigs; default DefaultSigTTL
	ImportTopicPath string           // PathImportTopic (default) or PathImportTopicMillion
	Timeout         time.Duration    // per request, answer included; default DefaultTimeout
	HTTPClient      *http.Client     // default: a keep-alive pool of its own
	Now             func() time.Time // default time.Now; decides when to renew the UserSig
}

// Client calls the Chat REST API. It is safe for concurrent use; one Client per run shares
// one connection pool and one UserSig among all workers.
type Client struct {
	base       string // scheme://host[/prefix], no trailing slash
	app        uint64
	admin      string
	key        string
	importPath string
	timeout    time.Duration
	hc         *http.Client
	sigs       *sigSource
}

// New checks cfg and returns a client. Plain http is accepted only for loopback hosts (the
// emulator): elsewhere it would send the UserSig in clear text.
func New(cfg Config) (*Client, error) {
	base, err := baseURL(cfg.BaseURL, cfg.Region)
	if err != nil {
		return nil, err
	}
	if cfg.SDKAppID == 0 {
		return nil, errors.New("chatapi: no SDKAppID")
	}
	if cfg.SDKAppID > math.MaxUint32 || cfg.SDKAppID > math.MaxInt {
		// The vendor's module signs an int; SDKAppIDs are 32-bit.
		return nil, fmt.Errorf("chatapi: SDKAppID %d is out of range", cfg.SDKAppID)
	}
	if cfg.SecretKey == "" && cfg.UserSig == "" {
		return nil, errors.New("chatapi: no credential: set the secret key or a UserSig")
	}
	c := &Client{
		base:       base,
		app:        cfg.SDKAppID,
		admin:      orDefault(cfg.Identifier, DefaultIdentifier),
		key:        cfg.SecretKey,
		importPath: orDefault(cfg.ImportTopicPath, PathImportTopic),
		timeout:    cfg.Timeout,
	}
	if c.importPath != PathImportTopic && c.importPath != PathImportTopicMillion {
		return nil, fmt.Errorf("chatapi: ImportTopicPath %q is neither %s nor %s", c.importPath, PathImportTopic, PathImportTopicMillion)
	}
	switch {
	case c.timeout == 0:
		c.timeout = DefaultTimeout
	case c.timeout < 0:
		return nil, fmt.Errorf("chatapi: negative timeout %s", c.timeout)
	}
	ttl := cfg.SigTTL
	switch {
	case ttl == 0:
		ttl = DefaultSigTTL
	case ttl < time.Second:
		return nil, fmt.Errorf("chatapi: SigTTL %s is shorter than a second", ttl)
	case ttl/time.Second > math.MaxInt32:
		return nil, fmt.Errorf("chatapi: SigTTL %s is too long", ttl)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c.sigs = &sigSource{app: int(cfg.SDKAppID), admin: c.admin, key: cfg.SecretKey, ttl: ttl, now: now}
	if cfg.SecretKey == "" {
		c.sigs.sig = cfg.UserSig
	} else if _, err := c.sigs.current(); err != nil {
		return nil, fmt.Errorf("chatapi: %w", err)
	}
	c.hc = httpClient(cfg.HTTPClient)
	return c, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// httpClient returns hc (or a default) that does not follow redirects: the vendor does not
// redirect, and following one would hand the UserSig in the query to another host.
func httpClient(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 128
		tr.MaxIdleConnsPerHost = 64 // one idle connection per worker in flight
		out.Transport = tr
		// No Client.Timeout: each request carries its own deadline in its context, which
		// works the same with a caller's HTTPClient.
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

// baseURL checks and normalizes the configured endpoint. Its errors never echo the URL,
// which a user might have pasted with a query holding credentials.
func baseURL(raw, region string) (string, error) {
	switch {
	case raw != "" && region != "":
		return "", errors.New("chatapi: set BaseURL or Region, not both")
	case raw == "" && region == "":
		return "", errors.New("chatapi: set BaseURL or Region")
	case region != "":
		u, err := RegionURL(region)
		if err != nil {
			return "", fmt.Errorf("chatapi: %w", err)
		}
		return u, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("chatapi: BaseURL is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errors.New("chatapi: BaseURL must start with https:// (or http:// for a loopback host)")
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", errors.New("chatapi: BaseURL has no host")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("chatapi: BaseURL must be scheme://host[:port][/prefix], without user, query or fragment")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("chatapi: plain http to %s would send the UserSig in clear text: use https (http is for loopback hosts only)", u.Hostname())
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// isLoopback reports whether host is localhost, 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
