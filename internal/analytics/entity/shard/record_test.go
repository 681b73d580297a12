package shard

import (
	"errors"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

func TestRecordRoundTrip(t *testing.T) {
	cfg := config.Analytics{}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	re, err := entity.New(entity.Options{Config: cfg, Logger: quiet()}, alert.SinkFunc(nil))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRouter(topic, re)
	evs := logins()
	recs, err := r.Events(nil, evs[:1])
	if err != nil || len(recs) != 1 {
		t.Fatalf("records of a login: %d, %v; want 1 (its user)", len(recs), err)
	}
	got, err := decodeRecord(recs[0].Value)
	if err != nil || got.r != (entity.Ref{Type: "user", Name: "anna"}) || got.event == nil || got.event.ID != evs[0].ID {
		t.Fatalf("event record decodes to %+v, %v", got, err)
	}
	if string(recs[0].Key) != string(appendKey(nil, "acme", got.r)) {
		t.Errorf("key %q", recs[0].Key)
	}
	a := ruleAlert()
	a.Entities.Hosts = []string{"vpn01"}
	recs, err = r.Alerts(nil, []alert.Alert{a})
	if err != nil || len(recs) != 2 {
		t.Fatalf("records of an alert on a user and a host: %d, %v; want 2", len(recs), err)
	}
	for _, rec := range recs {
		got, err := decodeRecord(rec.Value)
		if err != nil || got.alert == nil || got.alert.ID != a.ID {
			t.Fatalf("alert record decodes to %+v, %v", got, err)
		}
	}
	b := recs[0].Value
	for i := 0; i < len(b)-1; i++ {
		if _, err := decodeRecord(b[:i]); !errors.Is(err, errRecord) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	other := append([]byte{RecordVersion + 1}, b[1:]...)
	if _, err := decodeRecord(other); !errors.Is(err, errRecord) {
		t.Fatalf("other version: %v", err)
	}
}

// TestPeerRecordRoundTrip: a process run makes, besides the records of its
// host and program, a peer record keyed by (tenant, analytic, value) for
// the owner of the value, whose peer count record goes to the host.
func TestPeerRecordRoundTrip(t *testing.T) {
	re, err := entity.New(options(t), alert.SinkFunc(nil))
	if err != nil {
		t.Fatal(err)
	}
	ev := processRuns()[0]
	recs, err := NewRouter(topic, re).Events(nil, []*event.Event{ev})
	if err != nil {
		t.Fatal(err)
	}
	var peer *record
	for _, r := range recs {
		got, err := decodeRecord(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		if got.kind == kindPeer {
			if string(r.Key) != string(peerKey("acme", "host_rare_process", "svchost.exe")) {
				t.Errorf("peer record key %q", r.Key)
			}
			peer = &got
		}
	}
	if peer == nil || peer.analytic != "host_rare_process" || peer.value != "svchost.exe" ||
		peer.r != (entity.Ref{Type: "host", Name: "h0"}) || peer.event == nil || peer.event.ID != ev.ID {
		t.Fatalf("peer record %+v in %d records", peer, len(recs))
	}
	payload, err := ev.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := append(appendPeerHead(nil, kindPeers, peer.r, peer.analytic, peer.value, 7), payload...)
	got, err := decodeRecord(b)
	if err != nil || got.kind != kindPeers || got.others != 7 || got.analytic != peer.analytic || got.event.ID != ev.ID {
		t.Fatalf("peer count record decodes to %+v, %v", got, err)
	}
	for i := 0; i < len(b)-1; i++ {
		if _, err := decodeRecord(b[:i]); !errors.Is(err, errRecord) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
}

// FuzzRecord: a damaged entity record gives an error, never a panic, and
// what decodes names an entity.
func FuzzRecord(f *testing.F) {
	f.Add(append(appendHead(nil, kindAlert, entity.Ref{Type: "user", Name: "x"}), `{"id":"a","tenant":"t"}`...))
	f.Add(appendHead(nil, kindEvent, entity.Ref{Type: "user", Name: "x"}))
	f.Add(append(appendPeerHead(nil, kindPeers, entity.Ref{Type: "host", Name: "x"}, "host_rare_process", "a.exe", 3), 0))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if rec, err := decodeRecord(b); err == nil && (rec.r.Type == "" || rec.event == nil && rec.alert == nil) {
			t.Fatalf("decoded %+v", rec)
		}
	})
}
