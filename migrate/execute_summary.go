package migrate

import (
	"time"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi"
	"github.com/chatmigrate/chatmigrate/sources"
)

// endpointsOf lists the endpoints whose retries and throttles count for kind k.
var endpointsOf = map[sources.Kind][]string{
	sources.Topics:        {chatapi.PathImportTopic, chatapi.PathGetTopic},
	sources.FriendGroups:  {chatapi.PathGroupAdd, chatapi.PathFriendUpdate, chatapi.PathGroupGet, chatapi.PathFriendGet},
	sources.ContactGroups: {chatapi.PathCreateContactGroup, chatapi.PathUpdateContactGroup, chatapi.PathGetContactGroup},
}

// summary returns the counts so far.
func (e *executor) summary() *Summary {
	s := &Summary{}
	if e.opt.Summary != nil {
		*s = *e.opt.Summary
	}
	s.Kinds = make(map[sources.Kind]*KindSummary)
	for _, k := range sources.Kinds {
		st := e.p.Stats[k]
		ks := &KindSummary{Items: st.Items, Records: st.Records, Invalid: st.Invalid, Requests: st.Requests,
			Succeeded: int(e.counts[k].succeeded.Load()), Failed: int(e.counts[k].failed.Load()),
			Skipped: int(e.counts[k].skipped.Load())}
		if e.rs != nil {
			ks.Skipped += e.rs.kinds[k].skipped
			ks.Failed += e.rs.kinds[k].failed
		}
		for _, ep := range endpointsOf[k] {
			cs := e.c.Stats(ep)
			ks.Retries += int(cs.Retries)
			ks.Throttled += int(cs.Throttled)
		}
		s.Kinds[k] = ks
	}
	return s
}

// writeSummaryEvery rewrites summary.json every d until the returned stop is called.
func (e *executor) writeSummaryEvery(d time.Duration) (stop func()) {
	if e.opt.Reports == nil || e.opt.Summary == nil {
		return func() {}
	}
	if d <= 0 {
		d = DefaultSummaryEvery
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s := e.summary()
				s.ExitCode = SummaryRunning
				// A failed write is retried at the next tick; the final summary reports it.
				_ = e.opt.Reports.WriteSummary(s)
			case <-quit:
				return
			}
		}
	}()
	return func() { close(quit); <-done }
}
