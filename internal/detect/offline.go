package detect

import (
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/event"
)

// Offline runs rules over events that come in no particular order (the
// files of a hunt, scanned in parallel; the events of a rule test):
// detection rules match as events come, watch-list actions apply at once,
// and the hits of correlated rules are kept to be sorted by event time and
// run through the correlations at the end (Finish), with no lateness, so
// the result does not depend on the order files were read in.
type Offline struct {
	rules *Rules
	wl    *watchlist.Store
	now   time.Time

	mu   sync.Mutex
	hits []correlate.Hit
}

// NewOffline returns an offline run of rules; wl takes the watch-list
// actions (nil: an in-memory store).
func NewOffline(rules *Rules, wl *watchlist.Store) *Offline {
	if wl == nil {
		wl = watchlist.NewMemory()
	}
	return &Offline{rules: rules, wl: wl, now: time.Now()}
}

// Match appends to dst the rules matching e that raise detections of
// their own, keeping the hits the correlations need. Each goroutine uses
// its own matcher of the rule set.
func (o *Offline) Match(m *sigma.Matcher, e *event.Event, dst []*sigma.Rule) []*sigma.Rule {
	n := len(dst)
	dst = m.Match(e, dst)
	matched := dst[n:]
	kept := dst[:n]
	var hits []correlate.Hit
	for _, r := range matched {
		if r.Watchlist != nil {
			o.wl.Apply(r, e)
		}
		if h, ok := o.rules.Correlations.Project(r, e, EventTime(e, o.now, -1)); ok {
			hits = append(hits, h)
		}
		if o.rules.Emits(r) {
			kept = append(kept, r)
		}
	}
	if len(hits) > 0 {
		o.mu.Lock()
		o.hits = append(o.hits, hits...)
		o.mu.Unlock()
	}
	return kept
}

// Finish runs the correlations over the hits in event-time order (stable:
// hits at the same time keep the order they came in), closes every
// window, and returns the firings of the correlations that raise alerts,
// each alert in its final state.
func (o *Offline) Finish() ([]correlate.Firing, error) {
	o.mu.Lock()
	hits := o.hits
	o.hits = nil
	o.mu.Unlock()
	if o.rules.Correlations.Len() == 0 {
		return nil, nil
	}
	slices.SortStableFunc(hits, func(a, b correlate.Hit) int {
		switch {
		case a.Time < b.Time:
			return -1
		case a.Time > b.Time:
			return 1
		}
		return 0
	})
	e, _, err := correlate.New(correlate.Options{Lateness: -1, Offline: true, Logger: slog.New(slog.DiscardHandler),
		MaxKeys: 1 << 62, MaxKeysPerRule: 1 << 62}, o.rules.Correlations)
	if err != nil {
		return nil, err
	}
	fs := e.Process(hits)
	fs = append(fs, e.Flush()...)
	return FinalFirings(fs), nil
}

// FinalFirings keeps, of the firings of alerts that are raised, the last
// state of each alert, in the order the alerts were first raised.
func FinalFirings(fs []correlate.Firing) []correlate.Firing {
	at := map[string]int{}
	var out []correlate.Firing
	for _, f := range fs {
		if !f.Corr.Emits() {
			continue
		}
		if i, ok := at[f.ID]; ok {
			out[i] = f
			continue
		}
		at[f.ID] = len(out)
		out = append(out, f)
	}
	return out
}
