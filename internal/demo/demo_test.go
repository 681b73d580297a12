package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	_ "github.com/vigilsiem/vigil/internal/parse/all" // formats register themselves
	"github.com/vigilsiem/vigil/internal/pipeline"
)

var t0 = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

// run steps g every second of a fake clock from t0+from for d and returns
// the batches.
func run(g *Generator, from, d time.Duration) []*pipeline.Batch {
	var out []*pipeline.Batch
	for t := t0.Add(from); t.Before(t0.Add(from + d)); t = t.Add(time.Second) {
		out = append(out, g.Step(t)...)
	}
	return out
}

func records(bs []*pipeline.Batch) []string {
	var out []string
	for _, b := range bs {
		for _, r := range b.Records {
			out = append(out, string(r.Data))
		}
	}
	return out
}

func TestStoryScheduleAndOrder(t *testing.T) {
	g, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// before the first story: background traffic only, at the gentle rate
	bs := run(g, 0, DefaultFirstStory)
	recs := records(bs)
	if g.Stories() != 0 || len(recs) < 100 || len(recs) > 140 {
		t.Fatalf("%d stories, %d records in the first %v", g.Stories(), len(recs), DefaultFirstStory)
	}
	for _, b := range bs {
		if b.Tenant != Tenant || b.Source != "demo" || b.Received.IsZero() {
			t.Fatalf("batch %+v", b)
		}
	}
	// then the story, in order, within two minutes
	recs = records(run(g, DefaultFirstStory, 2*time.Minute+time.Second))
	marks := []string{"Deny tcp src outside:203.0.113.11/", "/etc/passwd", "Failed password for root from 203.0.113.11", "Accepted password for deploy from 203.0.113.11",
		`"event_id":7045`, `"event_id":1102`}
	at := -1
	for _, m := range marks {
		i := -1
		for j := at + 1; j < len(recs); j++ {
			if strings.Contains(recs[j], m) {
				i = j
				break
			}
		}
		if i < 0 {
			t.Fatalf("%q not found after record %d", m, at)
		}
		at = i
	}
	if g.Stories() != 1 {
		t.Errorf("%d stories", g.Stories())
	}
}

func TestSpeedCompressesTheSchedule(t *testing.T) {
	g, err := New(Config{Speed: 60, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	run(g, 0, 10*time.Second)
	// steps at 0…9 s: the first story at 0.5 s, then every 3 s
	if g.Stories() != 3 {
		t.Errorf("%d stories in 9 s at speed 60, want 3", g.Stories())
	}
	for _, bad := range []float64{-1, MaxSpeed + 1} {
		if _, err := New(Config{Speed: bad}); err == nil {
			t.Errorf("speed %v accepted", bad)
		}
	}
}

// Every record the demo writes parses, and the events of the outside
// addresses carry their location.
func TestRecordsParseAndGeo(t *testing.T) {
	g, _ := New(Config{Seed: 3})
	bs := run(g, 0, 3*time.Minute)
	p, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	geo := 0
	for _, b := range bs {
		for _, f := range b.Fields {
			if f.Name == "source.geo.location.lat" && f.Value.Kind() == event.KindFloat {
				geo += len(b.Records)
			}
		}
		for _, r := range b.Records {
			e := &event.Event{}
			if err := p.Parse(r.Data, e); err != nil {
				t.Fatalf("parse %s: %v", r.Data, err)
			}
			switch {
			case has(e, "winlog.channel"):
				kinds["windows"]++
			case has(e, "eventSource"):
				kinds["cloud"]++
			case strings.Contains(string(r.Data), "%ASA-"):
				kinds["firewall"]++
			case strings.Contains(string(r.Data), " apache2 "):
				kinds["web"]++
			default:
				kinds["linux"]++
			}
		}
	}
	for _, k := range []string{"windows", "cloud", "firewall", "web", "linux"} {
		if kinds[k] == 0 {
			t.Errorf("no %s records: %v", k, kinds)
		}
	}
	if geo == 0 {
		t.Error("no located records")
	}
}

func has(e *event.Event, name string) bool {
	_, ok := e.Get(name)
	return ok
}

func TestGeoFields(t *testing.T) {
	f := geoFields("203.0.113.66")
	if len(f) != 5 || f[0].Value.Str() != "NL" {
		t.Errorf("fields %+v", f)
	}
	if geoFields("10.0.0.1") != nil || geoFields("x") != nil {
		t.Error("an inside or bad address was located")
	}
}
