package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	_ "github.com/vigilsiem/vigil/internal/parse/all" // formats register themselves
)

// TestTimeGuessed: an event whose record gave no time gets the receive time,
// vigil.time_guessed and a count in the source's time-guessed counter; one
// whose record had its time gets neither. A record cannot set the flag.
func TestTimeGuessed(t *testing.T) {
	reg := prometheus.NewRegistry()
	rec := &recorder{}
	json, err := parse.New("json", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{Workers: 1, Metrics: NewMetrics(reg), Sinks: []Sink{rec}, DeadLetters: rec,
		Parsers: func(string, string) (parse.Parser, error) { return json, nil }})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(p.Stop)
	received := time.Date(2026, 12, 7, 6, 0, 0, 123456789, time.UTC)
	built := &event.Event{Fields: []event.Field{{Name: "TimeCreated", Value: event.String("2020-10-19 10:46:42.027")}}}
	bare := &event.Event{Fields: []event.Field{{Name: "message", Value: event.String("no time")}}}
	b := &Batch{Tenant: "acme", Source: "win", Format: "json", Received: received, Events: []*event.Event{built, bare}, Records: []Record{
		{Data: []byte(`{"TimeCreated":"2020-10-19 10:46:42.027","EventID":1102}`)},
		{Data: []byte(`{"EventID":1102,"vigil.time_guessed":false}`)},
		{Data: []byte(`{"time":"soon"}`)},
	}}
	if err := SubmitWait(context.Background(), p, b); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 5 {
		t.Fatalf("%d events, want 5", len(rec.events))
	}
	// Events a source built (bulk, HEC) are found their time the same way.
	if e := rec.events[3]; !e.Timestamp.Equal(time.Date(2020, 10, 19, 10, 46, 42, 27e6, time.UTC)) || e.Has(event.FieldTimeGuessed) {
		t.Errorf("built event with TimeCreated: %s", e.AppendJSON(nil))
	}
	if e := rec.events[4]; !e.Timestamp.Equal(received) || e.GetString(event.FieldTimeGuessed) != "true" {
		t.Errorf("built event without a time: %s", e.AppendJSON(nil))
	}
	rec.events = rec.events[:3]
	if e := rec.events[0]; !e.Timestamp.Equal(time.Date(2020, 10, 19, 10, 46, 42, 27e6, time.UTC)) || e.Has(event.FieldTimeGuessed) {
		t.Errorf("record with TimeCreated: %s", e.AppendJSON(nil))
	}
	for _, e := range rec.events[1:] {
		if !e.Timestamp.Equal(received) || e.GetString(event.FieldTimeGuessed) != "true" {
			t.Errorf("record without a time: %s", e.AppendJSON(nil))
		}
	}
	if got := rec.events[1].GetString("json." + event.FieldTimeGuessed); got != "false" {
		t.Errorf("the record's own vigil.time_guessed: got %q, want it kept as json.vigil.time_guessed", got)
	}
	c := p.cfg.Metrics.Component("parser", "win").TimeGuessed
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetCounter().GetValue(); got != 3 {
		t.Errorf("vigil_component_time_guessed_events_total = %v, want 3", got)
	}
}
