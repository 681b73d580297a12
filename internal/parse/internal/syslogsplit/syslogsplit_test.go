package syslogsplit

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/rfc3164"
)

func TestSplit(t *testing.T) {
	sp := New(rfc3164.Options{Now: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }})
	f := func(in, wantBody string, wantAt int, wantKind Kind, wantErr bool) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			var w fields.Writer
			e := &event.Event{}
			w.Begin(e)
			body, at, kind, err := sp.Split(in, &w, "CEF:", "LEEF:")
			w.End()
			if (err != nil) != wantErr {
				t.Fatalf("err %v", err)
			}
			if err == nil && (body != wantBody || at != wantAt || kind != wantKind || in[at:at+len(body)] != body) {
				t.Errorf("got %q at %d kind %d, want %q at %d kind %d", body, at, kind, wantBody, wantAt, wantKind)
			}
		})
	}
	f("CEF:0|a", "CEF:0|a", 0, None, false)
	f("<13>1 - h a - - - CEF:0|x", "CEF:0|x", 18, RFC5424, false)
	f("<13>Oct 11 22:14:15 h CEF:0|x", "CEF:0|x", 22, RFC3164, false)
	f("<13>Oct 11 22:14:15 h app[1]: LEEF:1.0|x", "LEEF:1.0|x", 30, RFC3164, false)
	f("<13>Oct 11 22:14:15 h app: {\"a\":1}", "{\"a\":1}", 27, RFC3164, false)
	f("plain", "", 0, RFC3164, true)
	f("<13>1 x", "", 0, RFC5424, true)
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]bool{"<13>1 ": true, "<13>Oct": false, "<1>10 x": true, "<13>0 x": false, "<13>1x": false, "1 x": false} {
		if got := Is5424(in); got != want {
			t.Errorf("Is5424(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]bool{"": true, "hello": true, "<1>": false, "Oct 11": false, "2026-": false, "Octopus": true} {
		if got := Stampless(in); got != want {
			t.Errorf("Stampless(%q) = %v", in, got)
		}
	}
}
