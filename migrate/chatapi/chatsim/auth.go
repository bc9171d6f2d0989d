package chatsim

import (
	"errors"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// checkQuery checks the URL query every endpoint shares, in the order a gateway would: the
// request's form (contenttype, random), the app (sdkappid), the signature (usersig for
// identifier, verified with the vendor's own VerifyUserSig), then the right (identifier must
// be an App admin). It returns 0 when all is well.
//
// Choices where the vendor does not say which code it answers (docs/vendor-api.md,
// "UserSig and auth codes", lists them all): a missing, non-numeric or foreign sdkappid →
// 60006; a UserSig that does not decode → 70003; one signed for another SDKAppID → 70014, for
// another identifier → 70013, with another key (or otherwise forged) → 70009, with a UserBuf →
// 70005; expired → 70001; a valid signature for a user who is not an App admin → 60010.
func (s *Server) checkQuery(q url.Values, now time.Time) (int, string) {
	if q.Get("contenttype") != "json" {
		return chatapi.CodeHTTPParse, "contenttype must be json"
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return chatapi.CodeHTTPParse, "random must be an unsigned 32-bit integer"
	}
	app, err := strconv.ParseUint(q.Get("sdkappid"), 10, 64)
	if err != nil || app != s.cfg.SDKAppID {
		return chatapi.CodeBadSDKAppID, "sdkappid invalid"
	}
	id, sig := q.Get("identifier"), q.Get("usersig")
	if id == "" {
		return chatapi.CodeNeedAdmin, "identifier missing"
	}
	if sig == "" {
		return chatapi.CodeSigInvalid, "usersig missing"
	}
	if code, info := s.sigs.verify(s.cfg.SDKAppID, s.cfg.Key, id, sig, now); code != 0 {
		return code, info
	}
	if _, ok := s.admins[id]; !ok {
		return chatapi.CodeNeedAdmin, "identifier is not an App admin"
	}
	return 0, ""
}

// sigCache remembers UserSigs that verified, so that a benchmark's ten thousand requests a
// second do not each inflate and hash the same signature. An entry is trusted for one second
// of the emulator's clock and then verified again, so an expiry is noticed at most a second
// late (and at once when a test moves the clock forward).
type sigCache struct {
	mu sync.Mutex
	ok map[sigKey]time.Time // → when it last verified
}

type sigKey struct{ id, sig string }

const sigCacheMax = 1024

func (c *sigCache) verify(app uint64, key, id, sig string, now time.Time) (int, string) {
	k := sigKey{id, sig}
	c.mu.Lock()
	at, hit := c.ok[k]
	c.mu.Unlock()
	if hit && !now.Before(at) && now.Sub(at) < time.Second {
		return 0, ""
	}
	if code, info := sigCode(tencentyun.VerifyUserSig(app, key, id, sig, now)); code != 0 {
		return code, info
	}
	c.mu.Lock()
	if c.ok == nil || len(c.ok) >= sigCacheMax {
		c.ok = make(map[sigKey]time.Time)
	}
	c.ok[k] = now
	c.mu.Unlock()
	return 0, ""
}

// sigCode maps VerifyUserSig's verdict to the vendor's codes. The infos never echo the sig.
func sigCode(err error) (int, string) {
	switch {
	case err == nil:
		return 0, ""
	case errors.Is(err, tencentyun.ErrExpired):
		return chatapi.CodeSigExpired, "usersig expired"
	case errors.Is(err, tencentyun.ErrSdkAppIDNotMatch):
		return chatapi.CodeSigWrongApp, "usersig is for another sdkappid"
	case errors.Is(err, tencentyun.ErrIdentifierNotMatch):
		return chatapi.CodeSigWrongAdmin, "usersig is for another identifier"
	case errors.Is(err, tencentyun.ErrSigNotMatch):
		return chatapi.CodeSigWrongKey, "usersig does not match the app's key"
	case errors.Is(err, tencentyun.ErrUserBufTypeNotMatch), errors.Is(err, tencentyun.ErrUserBufNotMatch):
		return chatapi.CodeSigInvalid2, "usersig carries an unexpected userbuf"
	default:
		return chatapi.CodeSigInvalid, "usersig cannot be decoded"
	}
}
