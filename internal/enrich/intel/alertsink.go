package intel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/enrich/assets"
	"github.com/vigilsiem/vigil/internal/event"
)

// AlertSink is the pipeline.Sink that raises an alert for every indicator
// match the Intel enricher recorded in an event. Put it after the store
// sink (so the event an alert names is durable) and after enrichment has
// run (the asset criticality it reads is written by the asset enricher).
//
// Each matched indicator is one alert rule, "intel:<feed>:<indicator id>",
// so repeated matches of one indicator on the same entities within the
// folding window update one alert (alert.Folder) instead of raising many.
// The alert carries the indicator, its feed, provider and confidence in
// its title, and as tags:
//
//	intel, intel.feed.<feed>, intel.confidence.<label>, intel.type.<type>,
//	and the indicator's ATT&CK tags (attack.t1110 …)
//
// Its level comes from the confidence (High → high, Medium → medium,
// Low/None/Not Specified → low), raised by the asset criticality
// (assets.AlertLevel).
type AlertSink struct {
	out    alert.Sink
	folder *alert.Folder
	index  func() *Index
}

// NewAlertSink returns a sink that writes alerts to out, folding repeats
// within window (0: alert.DefaultWindow). intel may be nil; when given,
// the sink reads indicator tags from its current index.
func NewAlertSink(out alert.Sink, x *Intel, window time.Duration) *AlertSink {
	s := &AlertSink{out: out, folder: alert.NewFolder(window)}
	if x != nil {
		s.index = x.Index
	}
	return s
}

// Name implements pipeline.Sink.
func (s *AlertSink) Name() string { return "intel_alerts" }

// Write implements pipeline.Sink.
func (s *AlertSink) Write(ctx context.Context, events []*event.Event) error {
	var ms []alert.Match
	for _, e := range events {
		ms = AppendMatches(ms, e, s.tags)
	}
	if len(ms) == 0 {
		return nil
	}
	alerts := s.folder.Add(ms)
	if err := s.out.WriteAlerts(ctx, alerts); err != nil {
		return fmt.Errorf("write intel alerts: %w", err)
	}
	return nil
}

func (s *AlertSink) tags(id string) []string {
	if s.index == nil {
		return nil
	}
	return s.index().Tags(id)
}

// AppendMatches appends one alert.Match per indicator recorded in e.
// tags, when not nil, returns extra tags for an indicator id.
func AppendMatches(dst []alert.Match, e *event.Event, tags func(id string) []string) []alert.Match {
	v, ok := e.Get(FieldMatchedID)
	if !ok || v.Kind() != event.KindList {
		return dst
	}
	ids := v.List()
	item := func(name string, i int) string {
		v, ok := e.Get(name)
		if !ok || v.Kind() != event.KindList || i >= len(v.List()) {
			return ""
		}
		return v.List()[i]
	}
	seen := map[string]bool{}
	for i, id := range ids {
		feed := item(FieldFeed, i)
		rule := "intel:" + feed + ":" + id
		if strings.HasPrefix(id, feed+":") {
			rule = "intel:" + id
		}
		if seen[rule] {
			continue
		}
		seen[rule] = true
		conf, score := item(FieldConfidence, i), item(FieldScore, i)
		typ, name := item(FieldType, i), item(FieldName, i)
		provider := item(FieldProvider, i)
		confText := conf
		if score != "" {
			confText += " (" + score + ")"
		}
		title := fmt.Sprintf("Threat intelligence match: %s %s in %s (feed %s, provider %s, confidence %s)",
			typ, name, item(FieldMatchedField, i), feed, provider, confText)
		t := []string{"intel", "intel.feed." + feed, "intel.confidence." + strings.ToLower(strings.ReplaceAll(conf, " ", "_")), "intel.type." + typ}
		if tags != nil && !strings.HasPrefix(id, feed+":") {
			t = append(t, tags(id)...)
		}
		dst = append(dst, alert.Match{RuleID: rule, Title: title, Level: assets.AlertLevel(confidenceLevel(conf), e), Tags: t, Event: e})
	}
	return dst
}

// confidenceLevel maps a confidence label to an alert level.
func confidenceLevel(label string) string {
	switch label {
	case "High":
		return "high"
	case "Medium":
		return "medium"
	}
	return "low"
}
