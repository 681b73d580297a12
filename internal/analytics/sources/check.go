package sources

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// Rule ids of the alerts the tracker raises.
const (
	RuleSilent      = "vigil-source-silent"
	RuleVolumeDrop  = "vigil-source-volume-drop"
	RuleParseErrors = "vigil-source-parse-errors"
)

// Run checks every source each CheckInterval and writes the alerts of
// newly unhealthy sources to sink, until ctx ends. An alert that cannot be
// written is raised again at the next check.
func (t *Tracker) Run(ctx context.Context, sink alert.Sink) {
	tick := time.NewTicker(t.opts.CheckInterval)
	defer tick.Stop()
	save := time.NewTicker(t.opts.SaveInterval)
	defer save.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-save.C:
			if err := t.Save(); err != nil {
				t.log.Error("save source health", "err", err)
			}
			continue
		case <-tick.C:
		}
		raised, undo := t.Check()
		if len(raised) == 0 {
			continue
		}
		if err := sink.WriteAlerts(ctx, raised); err != nil {
			if ctx.Err() != nil {
				return
			}
			t.log.Error("write source health alerts", "alerts", len(raised), "err", err)
			undo()
		}
	}
}

// Check looks at every source once and returns the alerts of sources that
// became silent, dropped in volume or started failing to parse since the
// last check, and a function that forgets them were raised (so a failed
// write raises them again). It also forgets sources gone for ForgetAfter.
func (t *Tracker) Check() (raised []alert.Alert, undo func()) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var flags []*bool
	counts := map[[2]string]float64{}
	for tenant, ts := range t.tenants {
		for k, s := range ts.sources {
			if !s.lastSeen.IsZero() && now.Sub(s.lastSeen) > ForgetAfter || s.lastSeen.IsZero() && now.Sub(s.lastError) > ForgetAfter {
				delete(ts.sources, k)
				continue
			}
			for _, a := range t.evaluate(s, now) {
				raised = append(raised, a.alert)
				flags = append(flags, a.flag)
			}
			counts[[2]string{tenant, s.status()}]++
		}
		for pk, h := range ts.peers {
			if _, ok := ts.sources[key{tenant, pk[0], h}]; !ok {
				delete(ts.peers, pk)
			}
		}
	}
	t.tracked.Reset()
	for k, n := range counts {
		t.tracked.WithLabelValues(k[0], k[1]).Set(n)
	}
	return raised, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		for _, f := range flags {
			*f = false
		}
	}
}

type raise struct {
	alert alert.Alert
	flag  *bool
}

// evaluate updates a source's episodes and returns the alerts of those
// that began.
func (t *Tracker) evaluate(s *state, now time.Time) []raise {
	var out []raise
	// Silence.
	if !s.lastSeen.IsZero() {
		quiet, limit := now.Sub(s.lastSeen), t.threshold(s)
		if s.lastSeen.Before(t.started) {
			quiet = now.Sub(t.started)
		}
		if quiet > limit && !s.silent {
			s.silent = true
			out = append(out, raise{t.alert(s, now, RuleSilent, "high",
				fmt.Sprintf("Source %s: host %s silent for %s (threshold %s)", s.source, displayHost(s.host), quiet.Round(time.Second), limit)), &s.silent})
		}
	}
	// Volume drop: the last DropWindow against the average of the full
	// hours before the current one (up to 24), since the source was first
	// seen.
	m := now.Unix() / 60
	h := now.Unix() / 3600
	hours := int(min(int64(now.Sub(s.first)/time.Hour), 24))
	// A window that reaches back before the start would count Vigil's
	// own downtime as the source's drop.
	if hours >= DropMinHours && now.Sub(t.started) >= DropWindow {
		perWindow := float64(s.hour.sum(h-1, hours)) / float64(hours) * float64(DropWindow) / float64(time.Hour)
		recent := float64(s.min.sum(m, int(DropWindow/time.Minute)))
		switch {
		case !s.dropped && perWindow >= DropMinEvents && recent < DropRatio*perWindow:
			s.dropped = true
			out = append(out, raise{t.alert(s, now, RuleVolumeDrop, "medium",
				fmt.Sprintf("Source %s: host %s sent %.0f events in the last %s, against %.0f usually", s.source, displayHost(s.host), recent, DropWindow, perWindow)), &s.dropped})
		case s.dropped && recent >= DropClearRatio*perWindow:
			s.dropped = false
		}
	}
	// Parse errors rising.
	win := int(ErrWindow / time.Minute)
	errs, evs := float64(s.errMin.sum(m, win)), float64(s.min.sum(m, win))
	var share float64
	if errs+evs > 0 {
		share = errs / (errs + evs)
	}
	restErrs := float64(s.errHour.sum(h, 24)) - errs
	restAll := restErrs + float64(s.hour.sum(h, 24)) - evs
	var before float64
	if restAll > 0 {
		before = max(restErrs, 0) / restAll
	}
	switch {
	case !s.failing && errs >= ErrMinCount && share >= ErrRatio && share >= ErrRise*before:
		s.failing = true
		out = append(out, raise{t.alert(s, now, RuleParseErrors, "medium",
			fmt.Sprintf("Source %s: host %s: %.0f%% of records failed to parse in the last %s (%.1f%% before)", s.source, displayHost(s.host), 100*share, ErrWindow, 100*before)), &s.failing})
	case s.failing && share < ErrRatio/2:
		s.failing = false
	}
	return out
}

// threshold is the silence threshold of a source: configured, else
// learned from its rhythm.
func (t *Tracker) threshold(s *state) time.Duration {
	var bySource, byHost time.Duration
	for _, o := range t.opts.Overrides {
		switch {
		case o.Source == s.source && o.Host == s.host:
			return o.SilenceAfter
		case o.Source == "" && o.Host == s.host:
			byHost = o.SilenceAfter
		case o.Host == "" && o.Source == s.source:
			bySource = o.SilenceAfter
		}
	}
	if byHost > 0 {
		return byHost
	}
	if bySource > 0 {
		return bySource
	}
	if t.opts.SilenceAfter > 0 {
		return t.opts.SilenceAfter
	}
	if s.batches < LearnBatches || s.lastSeen.Sub(s.first) < LearnFor {
		return UnlearnedSilence
	}
	gap := time.Duration(s.gapHour.maxOf(s.lastSeen.Unix()/3600, 24)) * time.Second
	return min(max(SilenceFactor*gap, SilenceFloor), SilenceCeiling)
}

func displayHost(h string) string {
	if h == "" {
		return "(stream)"
	}
	return h
}

// alert builds a health alert that names the host as its entity.
func (t *Tracker) alert(s *state, now time.Time, rule, level, title string) alert.Alert {
	now = now.UTC()
	a := alert.Alert{
		ID:     event.NewID(s.tenant, "vigil.sources", rule+"/"+s.source+"/"+s.host, 0, []byte(strconv.FormatInt(now.UnixNano(), 10))),
		Tenant: s.tenant, RuleID: rule, Title: title, Level: level,
		Tags: []string{"vigil.health"}, First: now, Last: now, Count: 1, EventIDs: []string{},
		Status: alert.StatusOpen,
	}
	if s.host != "" {
		a.Entities.Hosts = []string{s.host}
	}
	return a
}
