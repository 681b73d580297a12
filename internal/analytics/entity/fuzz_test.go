package entity

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

// FuzzSnapshot: any file read back either loads or is refused, never
// panics, and what loads respects the bounds.
func FuzzSnapshot(f *testing.F) {
	e, _ := newEngine(f, config.Analytics{}, "")
	officeHistory(f, e, users[:2], 9)
	write(f, e, login("kato", day0.AddDate(0, 0, 9).Add(3*time.Hour), "203.0.113.9", beijing))
	var buf bytes.Buffer
	if err := e.encode(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"vigil-baselines","version":1}` + "\n" + `{"entity":{"tenant":"t","type":"user","name":"x","states":{"user_login_rate":{"rate":{"hist":"AAAA"}}}}}` + "\n" + `{"end":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := config.Analytics{MaxValues: 4}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		e2, err := New(Options{Config: cfg, Logger: quiet}, &collector{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e2.decode(bytes.NewReader(data)); err != nil {
			return
		}
		for i := range e2.shards {
			for _, en := range e2.shards[i].m {
				for _, sl := range en.states {
					if v, ok := sl.st.(*valuesState); ok && len(v.Vals) > 4 {
						t.Fatalf("%d values loaded past max_values 4", len(v.Vals))
					}
				}
			}
		}
		// the loaded state must take events
		write(t, e2, login("x", day0.AddDate(0, 1, 0), "10.0.0.1", stockholm))
	})
}

// FuzzWrite: events with odd field values and times never panic.
func FuzzWrite(f *testing.F) {
	f.Add("kato", "SE", "59.3", "18.0", int64(0), "1024", "10.0.0.1")
	f.Add("", "-", "x", "200", int64(-1e15), "-5", "::1")
	f.Fuzz(func(t *testing.T, user, country, lat, lon string, ts int64, bytesOut, dst string) {
		e, _ := newEngine(t, config.Analytics{}, "")
		for i := 0; i < 3; i++ {
			ev := &event.Event{Timestamp: time.Unix(0, ts).Add(time.Duration(i) * 24 * time.Hour), Tenant: "t", ID: "x"}
			ev.SetString("event.category", "authentication")
			ev.SetString("event.outcome", "success")
			ev.SetString("user.name", user)
			ev.SetString("source.geo.country_iso_code", country)
			ev.Set("source.geo.location.lat", event.Infer(lat))
			ev.Set("source.geo.location.lon", event.Infer(lon))
			ev.Set("source.bytes", event.Infer(bytesOut))
			ev.SetString("source.ip", dst)
			ev.SetString("destination.ip", dst)
			if err := e.Write(context.Background(), []*event.Event{ev}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.List("t", SortRisk, 10); err != nil {
			t.Fatal(err)
		}
	})
}
