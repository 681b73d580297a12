package httpin

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// events returns the events of every batch recorded so far.
func (r *recorder) events() (evs []*event.Event, batches []*pipeline.Batch) {
	_, batches = r.all()
	for _, b := range batches {
		evs = append(evs, b.Events...)
	}
	return evs, batches
}

// Issue 9, finding 1, per HTTP path: a document's envelope names never set
// the envelope. HEC event objects, _bulk and _doc documents keep them as
// json.<name>; every batch carries the token's tenant and source, and the
// pipeline gives the events those (pipeline.TestEnvelopeIsTheBatchs). Raw
// paths (HEC raw, NDJSON) hand the record to the json parser, whose rule
// is the same (internal/parse/json).
func TestDocumentsCannotChooseTheirEnvelope(t *testing.T) {
	const claim = `{"message":"m","vigil":{"tenant":"beta","source":"b"},"event.id":"chosen","event.ingested":"2001-01-01T00:00:00Z","event.original":"fake","vigil.original_base64":"ZmFrZQ=="}`
	sends := []struct{ path, auth, body string }{
		{"/services/collector/event", "Splunk " + tokA, `{"event":` + claim + `}`},
		{"/_bulk", "Bearer " + tokA, `{"index":{}}` + "\n" + claim + "\n"},
		{"/logs/_doc", "Bearer " + tokA, claim},
	}
	for _, s := range sends {
		rec := &recorder{}
		srv, _ := server(t, withTokens(), rec)
		if r := do(t, "POST", srv.URL+s.path, s.auth, []byte(s.body)); r.status != 200 && r.status != 201 {
			t.Fatalf("%s: %d %s", s.path, r.status, r.body)
		}
		evs, batches := rec.events()
		if len(evs) != 1 || batches[0].Tenant != "acme" || batches[0].Source != "hec-acme" || batches[0].Carried {
			t.Fatalf("%s: %d events, batch %s/%s carried %v", s.path, len(evs), batches[0].Tenant, batches[0].Source, batches[0].Carried)
		}
		e := evs[0]
		if e.Tenant == "beta" || e.Source == "b" || e.ID == "chosen" || !e.Ingested.IsZero() || e.Original == "fake" {
			t.Errorf("%s: the document set the envelope: %s", s.path, e.AppendJSON(nil))
		}
		for name, want := range map[string]string{"json.vigil.tenant": "beta", "json.vigil.source": "b", "json.event.id": "chosen",
			"json.event.original": "fake", "json.vigil.original_base64": "ZmFrZQ=="} {
			if got := e.GetString(name); got != want {
				t.Errorf("%s: %s = %q, want %q (the claim kept as a field)", s.path, name, got, want)
			}
		}
	}
}

// Issue 9, finding 12, per HTTP path: identical records of one request get
// distinct ids (or occurrences, for raw records, which the pipeline hashes
// in), and the same request sent again gets the same ones.
func TestIdenticalRecordsPerRequest(t *testing.T) {
	hecEv := `{"time":1700000000,"event":"Failed password for root from 203.0.113.9"}`
	doc := `{"message":"Failed password for root from 203.0.113.9"}`
	sends := []struct{ path, auth, body string }{
		{"/services/collector/event", "Splunk " + tokA, hecEv + hecEv + `{"event":"other"}` + hecEv},
		{"/_bulk", "Bearer " + tokA, strings.Repeat(`{"create":{}}`+"\n"+doc+"\n", 3)},
	}
	for _, s := range sends {
		var runs [2][]string
		for i := range runs {
			rec := &recorder{}
			srv, _ := server(t, withTokens(), rec)
			if r := do(t, "POST", srv.URL+s.path, s.auth, []byte(s.body)); r.status != 200 {
				t.Fatalf("%s: %d %s", s.path, r.status, r.body)
			}
			evs, _ := rec.events()
			for _, e := range evs {
				runs[i] = append(runs[i], e.ID)
			}
		}
		seen := map[string]bool{}
		for j, id := range runs[0] {
			if seen[id] {
				t.Errorf("%s: event %d repeats an id of its request", s.path, j)
			}
			seen[id] = true
			if runs[1][j] != id {
				t.Errorf("%s: the retried request gave event %d another id", s.path, j)
			}
		}
	}
	for _, path := range []string{"/api/v1/ingest?format=raw", "/services/collector/raw"} {
		rec := &recorder{}
		srv, _ := server(t, withTokens(), rec)
		auth := "Bearer " + tokA
		if strings.HasPrefix(path, "/services") {
			auth = "Splunk " + tokA
		}
		if r := do(t, "POST", srv.URL+path, auth, []byte("same\nother\nsame\nsame\n")); r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		recs, _ := rec.all()
		var got []int
		for _, r := range recs {
			got = append(got, r.Occurrence)
		}
		if len(got) != 4 || got[0] != 0 || got[1] != 0 || got[2] != 1 || got[3] != 2 {
			t.Errorf("%s: occurrences %v, want [0 0 1 2]", path, got)
		}
	}
}

// Issue 9, finding 14, on HEC: a string event that is not UTF-8 keeps its
// exact bytes. (Event objects and raw records keep event.original as sent;
// the pipeline adds vigil.original_base64 for them.)
func TestHECStringEventKeepsExactBytes(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, withTokens(), rec)
	raw := "caf\xe9 \xff"
	if r := do(t, "POST", srv.URL+"/services/collector/event", "Splunk "+tokA, []byte(`{"event":"`+raw+`"}`)); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs, _ := rec.all()
	got, err := base64.StdEncoding.DecodeString(recordField(recs[0], event.FieldOriginalBase64))
	if err != nil || string(got) != raw {
		t.Fatalf("exact bytes %q, %v; want %q", got, err, raw)
	}
}
