package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse"
	jsonfmt "github.com/vigilsiem/vigil/internal/parse/json"
)

// newJSONTest builds a pipeline with the real parsers of the named formats.
func newJSONTest(t *testing.T, rec *recorder) *Pipeline {
	t.Helper()
	p, err := New(Config{Workers: 1, Parsers: func(_, format string) (parse.Parser, error) {
		return parse.New(format, parse.Options{})
	}, Sinks: []Sink{rec}, DeadLetters: rec})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// An Azure Event Hub message ({"records":[…]}) becomes one event per
// element, each with its own bytes as event.original and its own id, also
// for repeated elements and for an element repeated in another batch; a
// replay gives the same ids.
func TestSplitBatchRecords(t *testing.T) {
	a := `{"time":"2024-05-10T11:37:47Z","operationName":"Sign-in activity","category":"SignInLogs","resourceId":"/tenants/t1/providers/Microsoft.aadiam"}`
	b := `{"time":"2024-05-10T13:00:00Z","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE","category":"Administrative","resourceId":"/SUBSCRIPTIONS/S1"}`
	batch1 := `{"records":[` + a + `, ` + b + `,` + a + `]}`
	batch2 := `{"records":[` + a + `]}`
	run := func() *recorder {
		rec := &recorder{}
		p := newJSONTest(t, rec)
		for _, format := range []string{"json", "auto"} {
			bt := &Batch{Tenant: "acme", Source: "hub", Format: format, Records: []Record{
				{Data: []byte(batch1), Peer: "10.0.0.1:5000"}, {Data: []byte(batch2)}, {Data: []byte(`{"records":[]}`)},
				{Data: []byte(`{"message":"plain"}`)},
			}}
			if err := SubmitWait(context.Background(), p, bt); err != nil {
				t.Fatal(err)
			}
		}
		return rec
	}
	rec := run()
	if len(rec.events) != 10 || len(rec.dead) != 0 {
		t.Fatalf("events %d dead %d, want 10 and 0", len(rec.events), len(rec.dead))
	}
	want := []string{a, b, a, a, `{"message":"plain"}`}
	ids := map[string]bool{}
	for i, e := range rec.events[:5] {
		if e.Original != want[i] {
			t.Errorf("event %d original = %s, want %s", i, e.Original, want[i])
		}
		ids[e.ID] = true
	}
	if len(ids) != 5 {
		t.Errorf("%d distinct ids among 5 events", len(ids))
	}
	if got := rec.events[1].GetString("json.operationName"); got == "" && rec.events[1].GetString("operationName") == "" {
		t.Errorf("element not parsed: %s", rec.events[1].AppendJSON(nil))
	}
	if rec.events[0].GetString("log.source.address") != "10.0.0.1:5000" {
		t.Errorf("element lost its peer: %s", rec.events[0].AppendJSON(nil))
	}
	if rec.events[0].Timestamp.Format("15:04:05") != "11:37:47" {
		t.Errorf("element time = %v", rec.events[0].Timestamp)
	}
	again := run()
	for i := range rec.events {
		if rec.events[i].ID != again.events[i].ID {
			t.Fatalf("replay gave event %d id %s, first time %s", i, again.events[i].ID, rec.events[i].ID)
		}
	}
}

// A batch over jsonfmt.MaxSplitRecords is dead-lettered whole, with the
// reason; the records beside it are unaffected.
func TestSplitBatchOverBoundDeadLettered(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"records":[`)
	for i := range jsonfmt.MaxSplitRecords + 1 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"n":%d}`, i)
	}
	sb.WriteString(`]}`)
	rec := &recorder{}
	p := newJSONTest(t, rec)
	if err := SubmitWait(context.Background(), p, &Batch{Tenant: "acme", Source: "hub", Format: "json", Records: []Record{
		{Data: []byte(sb.String()), Position: "p:1"}, {Data: []byte(`{"n":"alone"}`)},
	}}); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 1 || len(rec.dead) != 1 {
		t.Fatalf("events %d dead %d, want 1 and 1", len(rec.events), len(rec.dead))
	}
	d := rec.dead[0]
	if !strings.Contains(d.Reason, "more than 5000 elements") || string(d.Data) != sb.String() || d.Position != "p:1" {
		t.Errorf("dead letter reason %q position %q, %d bytes", d.Reason, d.Position, len(d.Data))
	}
	if rec.events[0].Original != `{"n":"alone"}` {
		t.Errorf("event = %s", rec.events[0].AppendJSON(nil))
	}
}
