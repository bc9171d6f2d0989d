package chatsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"golang.org/x/time/rate"
)

// Config configures an emulator.
type Config struct {
	SDKAppID uint64 // the app this emulator is; required
	Key      string // the app's secret key, used only to verify UserSigs; required
	// Admins are the identifiers that are App admins; default [chatapi.DefaultIdentifier].
	Admins []string
	// RPS is each endpoint's rate limit in requests per second (each endpoint has its own
	// bucket, as the vendor's pages say "per API"); default 200, < 0 = unlimited. An endpoint
	// with a lower documented limit keeps it: account_check allows 100/s.
	RPS float64
	// Burst is the token bucket's size, default max(1, rate/20) of each endpoint's rate. The
	// model: tokens refill at the rate up to Burst, the bucket starts full, each admitted
	// request takes one, and a request that finds it empty is refused with the throttle code.
	// A client that paces itself at the rate never meets it; one that sends Burst+1 at once
	// does.
	Burst int
	// World is what exists before the migration; nil is the lenient world.
	World  *World
	Faults Faults
	Seed   int64 // seeds fault decisions and generated TopicIds
	// Now is the emulator's clock (UserSig expiry, rate limiting, CreateTime defaults,
	// per-second metrics); default time.Now.
	Now func() time.Time
	// PageSize is how many conversations get_contact_group returns per page when the
	// dialect does not say (Dialect.ContactPageSize); default 100.
	PageSize int
	// Dialect is the reading of each open question of the vendor's pages; the zero Dialect
	// takes the World's (World.Dialect), whose zero value is the first reading of each.
	Dialect Dialect
}

// Server is the emulator: an http.Handler serving /v4/{service}/{command} for the endpoints
// chatmigrate uses, plus GET /_sim/state (Dump as JSON) and GET /_sim/metrics.
// It is safe for concurrent use.
type Server struct {
	cfg       Config
	dialect   Dialect // normalised: every option has its value
	world     *world
	admins    map[string]struct{}
	endpoints map[string]*endpoint
	faults    *faultPlan
	metrics   *metrics
	sigs      sigCache
	inflight  inflight

	mu sync.Mutex // guards st
	st *state
}

// endpoint is one served command.
type endpoint struct {
	path    string
	fam     family
	write   bool // serialised per From_Account: overlapping writes conflict
	handle  func(s *Server, o *object, now time.Time) reply
	limiter *rate.Limiter
	rps     float64 // the endpoint's own documented limit when below Config.RPS; 0 = none
}

// reply is an answer body; every chatapi response type embeds BaseResponse and satisfies it.
type reply interface{ Base() *chatapi.BaseResponse }

func fail(code int, info string) reply {
	return &chatapi.BaseResponse{ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: info}
}

func failErr(e *apiErr) reply { return fail(e.code, e.info) }

// succeed fills an answer's envelope for success.
func succeed[T reply](r T) T {
	b := r.Base()
	b.ActionStatus, b.ErrorCode, b.ErrorInfo = "OK", 0, ""
	return r
}

const maxBody = 8 << 20

// New builds an emulator.
func New(cfg Config) (*Server, error) {
	if cfg.SDKAppID == 0 {
		return nil, errors.New("chatsim: SDKAppID is required")
	}
	if cfg.Key == "" {
		return nil, errors.New("chatsim: Key is required")
	}
	if cfg.Faults.LatencyMax == 0 { // a fixed delay may be given as LatencyMin alone
		cfg.Faults.LatencyMax = cfg.Faults.LatencyMin
	}
	if err := cfg.Faults.check(); err != nil {
		return nil, fmt.Errorf("chatsim: %w", err)
	}
	if cfg.Faults.Hang == 0 {
		cfg.Faults.Hang = 15 * time.Second
	}
	if len(cfg.Admins) == 0 {
		cfg.Admins = []string{chatapi.DefaultIdentifier}
	}
	if cfg.RPS == 0 {
		cfg.RPS = chatapi.DefaultRPS
	}
	if cfg.Burst < 0 {
		cfg.Burst = 0
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w, err := compileWorld(cfg.World)
	if err != nil {
		return nil, fmt.Errorf("chatsim: %w", err)
	}
	dialect := cfg.Dialect
	if dialect == (Dialect{}) {
		dialect = w.dialect
	}
	if dialect.ContactPageSize == 0 && cfg.PageSize > 0 {
		dialect.ContactPageSize = cfg.PageSize
	}
	if dialect, err = dialect.normalize(); err != nil {
		return nil, fmt.Errorf("chatsim: %w", err)
	}
	s := &Server{
		cfg:     cfg,
		dialect: dialect,
		world:   w,
		admins:  make(map[string]struct{}, len(cfg.Admins)),
		faults:  newFaultPlan(cfg.Faults, cfg.Seed),
		metrics: newMetrics(),
		st:      newState(),
	}
	for _, a := range cfg.Admins {
		s.admins[a] = struct{}{}
	}
	s.loadExisting(w.existing)
	s.endpoints = make(map[string]*endpoint)
	for _, ep := range []endpoint{
		{path: chatapi.PathImportTopic, fam: famGroup, handle: (*Server).importTopic},
		{path: chatapi.PathImportTopicMillion, fam: famGroup, handle: (*Server).importTopic},
		{path: chatapi.PathGetTopic, fam: famGroup, handle: (*Server).getTopic},
		{path: chatapi.PathGroupAdd, fam: famSNS, write: true, handle: (*Server).groupAdd},
		{path: chatapi.PathGroupGet, fam: famSNS, handle: (*Server).groupGet},
		{path: chatapi.PathCreateContactGroup, fam: famRC, write: true, handle: (*Server).createContactGroup},
		{path: chatapi.PathUpdateContactGroup, fam: famRC, write: true, handle: (*Server).updateContactGroup},
		{path: chatapi.PathGetContactGroup, fam: famRC, handle: (*Server).getContactGroup},
		{path: chatapi.PathFriendUpdate, fam: famSNS, write: true, handle: (*Server).friendUpdate},
		{path: chatapi.PathFriendGet, fam: famSNS, handle: (*Server).friendGet},
		{path: chatapi.PathFriendCheck, fam: famSNS, handle: (*Server).friendCheck},
		{path: chatapi.PathAccountCheck, fam: famAccount, handle: (*Server).accountCheck, rps: chatapi.AccountCheckRPS},
		{path: chatapi.PathGetGroupInfo, fam: famGroup, handle: (*Server).getGroupInfo},
		{path: chatapi.PathGetRoleInGroup, fam: famGroup, handle: (*Server).getRoleInGroup},
	} {
		ep := ep
		ep.limiter = newLimiter(cfg, ep.rps)
		s.endpoints[ep.path] = &ep
	}
	return s, nil
}

// newLimiter is one endpoint's token bucket: Config.RPS, or the endpoint's own documented
// limit (own > 0) when that is lower; the burst scales with the rate unless Config.Burst
// fixes it.
func newLimiter(cfg Config, own float64) *rate.Limiter {
	if cfg.RPS < 0 {
		return rate.NewLimiter(rate.Inf, cfg.Burst)
	}
	rps := cfg.RPS
	if own > 0 && own < rps {
		rps = own
	}
	burst := cfg.Burst
	if burst == 0 {
		burst = max(1, int(rps/20))
	}
	return rate.NewLimiter(rate.Limit(rps), burst)
}

// Dialect returns the reading of each open question the emulator follows, every option
// spelt out.
func (s *Server) Dialect() Dialect { return s.dialect }

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch path := r.URL.Path; {
	case strings.HasPrefix(path, "/v4/"):
		s.serveAPI(w, r, strings.TrimPrefix(path, "/v4/"))
	case path == "/_sim/state" || path == "/_sim/metrics":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var v any = s.Dump()
		if path == "/_sim/metrics" {
			v = s.Metrics()
		}
		writeJSON(w, http.StatusOK, v)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil { // only our own types are marshalled: unreachable short of a bug
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
}

// serveAPI answers one REST call. The order of checks: command, method, body, query
// (auth), rate limit, injected fault, JSON, per-user write lock, then the command itself.
// Nothing before the command's own handler changes state.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, name string) {
	now := s.cfg.Now()
	ep := s.endpoints[name]
	if ep == nil {
		// An unknown command is answered in the body like every other refusal: a wrong
		// path is a fatal configuration error (10003), not a proxy's 404.
		s.metrics.arrive("unknown", now)
		s.answer(w, "unknown", fail(chatapi.CodeBadCommand, "invalid command"))
		return
	}
	s.metrics.arrive(name, now)
	if r.Method != http.MethodPost {
		s.answer(w, name, fail(chatapi.CodeHTTPParse, "method must be POST"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		s.answer(w, name, fail(chatapi.CodeHTTPParse, "request body unreadable or too large"))
		return
	}
	if code, info := s.checkQuery(r.URL.Query(), now); code != 0 {
		s.answer(w, name, fail(code, info))
		return
	}
	if !ep.limiter.AllowN(now, 1) {
		s.metrics.throttled(name)
		s.answer(w, name, fail(ep.fam.throttle(), "request rate exceeds the API's limit"))
		return
	}
	s.metrics.admitted(name, now)

	d := s.faults.decide(name, body)
	if d.kind != "" {
		s.metrics.fault(name, d.kind)
	}
	switch d.kind {
	case FaultTransient:
		sleep(d.latency)
		s.answer(w, name, fail(ep.fam.transient(), "internal server error, injected: retry"))
		return
	case FaultThrottle:
		sleep(d.latency)
		s.answer(w, name, fail(ep.fam.throttle(), "request rate exceeds the API's limit, injected"))
		return
	case FaultHTTP502:
		sleep(d.latency)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, badGatewayBody)
		return
	case FaultHang:
		t := time.NewTimer(s.cfg.Faults.Hang)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
			s.answer(w, name, fail(chatapi.CodeTimeout, "server timed out, injected"))
			return
		}
	}

	obj, good := parseBody(body, ep.fam)
	if !good {
		sleep(d.latency)
		s.answer(w, name, fail(chatapi.CodeJSONParse, "request body is not a JSON object"))
		return
	}
	if ep.write {
		if user := obj.peekString("From_Account"); user != "" {
			if !s.inflight.acquire(ep.fam, user) {
				sleep(d.latency)
				s.metrics.conflict(name)
				s.answer(w, name, fail(ep.fam.conflict(), "another write for this From_Account is in progress: retry"))
				return
			}
			defer s.inflight.release(ep.fam, user)
		}
	}
	// The delay is not cut short when the client goes away: the server has the request and
	// finishes it, which is what makes a client-side timeout an in-doubt outcome.
	sleep(d.latency)
	if d.kind == FaultAmbiguous && !s.lostApplies(d) {
		drop(w)
		return
	}
	resp := ep.handle(s, obj, now)
	if d.kind == FaultAmbiguous {
		drop(w)
		return
	}
	s.answer(w, name, resp)
}

// lostApplies says whether a request whose answer is lost was applied first, per
// Dialect.LostAnswer (question 7); "mixed" follows the request's own seeded draw.
func (s *Server) lostApplies(d decision) bool {
	switch s.dialect.LostAnswer {
	case LostNothing:
		return false
	case LostMixed:
		return d.applied
	default:
		return true
	}
}

func sleep(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
}

func (s *Server) answer(w http.ResponseWriter, name string, resp reply) {
	s.metrics.answered(name, resp.Base().ErrorCode)
	writeJSON(w, http.StatusOK, resp)
}

// inflight marks the users with a write in progress, per family: docs/vendor-api.md,
// "What the vendor leaves open" (question 8), says that two overlapping writes for one
// From_Account on the same family make the later one fail.
type inflight struct {
	mu   sync.Mutex
	busy map[inflightKey]struct{}
}

type inflightKey struct {
	fam  family
	user string
}

func (f *inflight) acquire(fam family, user string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := inflightKey{fam, user}
	if _, taken := f.busy[k]; taken {
		return false
	}
	if f.busy == nil {
		f.busy = make(map[inflightKey]struct{})
	}
	f.busy[k] = struct{}{}
	return true
}

func (f *inflight) release(fam family, user string) {
	f.mu.Lock()
	delete(f.busy, inflightKey{fam, user})
	f.mu.Unlock()
}
