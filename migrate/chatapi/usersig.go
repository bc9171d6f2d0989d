package chatapi

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// errFixedSig is returned by RenewSig when the client only has a precomputed UserSig.
var errFixedSig = errors.New("chatapi: cannot renew a precomputed UserSig: supply a fresh one or the secret key")

// sigSource hands out the UserSig of each request. With a secret key it generates one with the
// vendor's module and renews it when less than a quarter of its validity remains, so that a
// run longer than the TTL never sends a lapsed signature; without a key it hands out the
// precomputed one unchanged. It is safe for concurrent use by many workers.
type sigSource struct {
	app   int
	admin string
	key   string // empty: fixed is the only signature
	ttl   time.Duration
	now   func() time.Time
	// gen signs; nil means the vendor's tencentyun.GenUserSig. Tests count renewals with it:
	// two signatures made within the same second are identical.
	gen func(app int, key, admin string, ttlSeconds int) (string, error)

	mu      sync.Mutex
	sig     string
	renewAt time.Time // by the configured clock
}

// current returns the signature to send, generating or renewing it when due.
func (s *sigSource) current() (string, error) {
	if s.key == "" {
		return s.sig, nil // never written after New: no lock needed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sig == "" || !s.now().Before(s.renewAt) {
		if err := s.renewLocked(); err != nil {
			return "", err
		}
	}
	return s.sig, nil
}

// renewIfCurrent renews the signature unless another worker already replaced the one that the
// server refused: a burst of 70001 answers costs one renewal, not one per worker.
func (s *sigSource) renewIfCurrent(refused string) error {
	if s.key == "" {
		return errFixedSig
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sig != refused {
		return nil
	}
	return s.renewLocked()
}

// renew replaces the signature unconditionally.
func (s *sigSource) renew() error {
	if s.key == "" {
		return errFixedSig
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renewLocked()
}

func (s *sigSource) renewLocked() error {
	gen := s.gen
	if gen == nil {
		gen = tencentyun.GenUserSig
	}
	sig, err := gen(s.app, s.key, s.admin, int(s.ttl/time.Second))
	if err != nil {
		// The module's errors come from JSON and zlib; they hold neither key nor signature.
		return fmt.Errorf("generate UserSig: %w", err)
	}
	s.sig = sig
	s.renewAt = s.now().Add(s.ttl - s.ttl/4)
	return nil
}

// RenewSig generates a new UserSig now, whatever the age of the current one. It fails when the
// client was given only a precomputed UserSig.
func (c *Client) RenewSig() error {
	return c.sigs.renew()
}
