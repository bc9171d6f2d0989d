package pacer

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
)

// TestEndpointRPS: an endpoint named in EndpointRPS is paced at its own rate, account_check
// at its own 100/s by default, and every other endpoint at RPS.
func TestEndpointRPS(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rps      float64
		override map[string]float64
		endpoint string
		want     float64
	}{
		{"default", 200, nil, "sns/group_get", 200},
		{"account_check by default", 200, nil, chatapi.PathAccountCheck, chatapi.AccountCheckRPS},
		{"account_check under a lower RPS", 50, nil, chatapi.PathAccountCheck, 50},
		{"override", 200, map[string]float64{"sns/group_get": 20}, "sns/group_get", 20},
		{"override account_check", 200, map[string]float64{chatapi.PathAccountCheck: 10}, chatapi.PathAccountCheck, 10},
		{"non-positive override ignored", 200, map[string]float64{"sns/group_get": 0}, "sns/group_get", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				opt := testOptions()
				opt.RPS, opt.EndpointRPS = tc.rps, tc.override
				p := New(opt)
				if got := p.RPS(tc.endpoint); got != tc.want {
					t.Fatalf("RPS(%s) = %g, want %g", tc.endpoint, got, tc.want)
				}
				if got := p.Limit(tc.endpoint); got != tc.want {
					t.Fatalf("Limit(%s) = %g, want %g", tc.endpoint, got, tc.want)
				}
				// 21 requests at the rate take 20 intervals (the first token is there at once).
				start := time.Now()
				for range 21 {
					if err := p.Do(context.Background(), tc.endpoint, func(context.Context) error { return nil }); err != nil {
						t.Fatal(err)
					}
				}
				want := time.Duration(20 / tc.want * float64(time.Second))
				if got := time.Since(start); got < want*9/10 || got > want*11/10 {
					t.Fatalf("21 requests took %v at %g/s, want about %v", got, tc.want, want)
				}
			})
		})
	}
}

// TestEndpointRPSCopied: the pacer keeps its own copy of the map.
func TestEndpointRPSCopied(t *testing.T) {
	m := map[string]float64{"a": 5}
	p := New(Options{EndpointRPS: m})
	m["a"] = 50
	if got := p.RPS("a"); got != 5 {
		t.Fatalf("RPS(a) = %g after the caller's map changed, want 5", got)
	}
}
