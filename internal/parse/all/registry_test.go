package all

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// TestRegistry builds every format with options and parses one record of
// it, checking that options reach the parser and errors keep their
// sentinels across the package boundary.
func TestRegistry(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	opts := parse.Options{Location: berlin, Now: func() time.Time { return now }, CSVHeader: []string{"a", "b"}, CSVDelimiter: ';'}
	f := func(format, record, field, want string) {
		t.Helper()
		t.Run(format, func(t *testing.T) {
			p, err := parse.New(format, opts)
			if err != nil {
				t.Fatal(err)
			}
			e := &event.Event{Original: record, Timestamp: now}
			if err := p.Parse([]byte(record), e); err != nil {
				t.Fatalf("Parse(%q): %v", record, err)
			}
			if got := e.GetString(field); got != want {
				t.Errorf("%s = %q, want %q", field, got, want)
			}
		})
	}
	f("raw", "x y", "message", "x y")
	f("rfc3164", "<13>Oct 11 22:14:15 h t: m", "@timestamp", "2026-10-11T21:14:15Z") // Location applied
	f("rfc5424", "<13>1 - h t - - - m", "host.name", "h")
	f("cef", "CEF:0|V|P|1|2|n|5|src=10.0.0.1", "source.ip", "10.0.0.1")
	f("leef", "LEEF:1.0|V|P|1|E|src=10.0.0.1", "source.ip", "10.0.0.1")
	f("json", `{"a":{"b":1}}`, "a.b", "1")
	f("kv", "a=1 b=2", "b", "2")
	f("csv", "1;x", "b", "x") // header and delimiter applied
	f("auto", "<13>Oct 11 22:14:15 h t: a=1 b=2", "b", "2")

	for _, name := range []string{"raw", "rfc3164", "rfc5424", "cef", "leef", "json", "kv", "csv", "auto"} {
		found := false
		for _, n := range parse.Names() {
			found = found || n == name
		}
		if !found {
			t.Errorf("parse.Names() lacks %s", name)
		}
	}

	p, _ := parse.New("rfc5424", parse.Options{})
	if err := p.Parse([]byte("nonsense"), &event.Event{}); !errors.Is(err, parse.ErrFormat) {
		t.Errorf("rfc5424 error %v does not wrap parse.ErrFormat", err)
	}
	c, _ := parse.New("csv", parse.Options{})
	if err := c.Parse([]byte("a,b"), &event.Event{}); !errors.Is(err, parse.ErrSkip) {
		t.Errorf("csv header gave %v, want parse.ErrSkip", err)
	}
	if _, err := parse.New("csv", parse.Options{CSVDelimiter: '"'}); err == nil {
		t.Errorf("csv accepted '\"' as delimiter")
	}
	if _, err := parse.New("nope", parse.Options{}); err == nil {
		t.Errorf("unknown format accepted")
	}
}

// Formats declare what the pipeline must know: CSV learns from its records,
// so it is parsed in order; the others are not; an unknown format is
// neither, and only configurable formats pass Check.
func TestCapabilities(t *testing.T) {
	for _, name := range parse.Names() {
		if got, want := parse.Ordered(name), name == "csv"; got != want {
			t.Errorf("Ordered(%s) = %v, want %v", name, got, want)
		}
		if err := parse.Check(name); err != nil {
			t.Errorf("Check(%s): %v", name, err)
		}
	}
	if parse.Ordered("nope") || parse.Check("nope") == nil {
		t.Error("an unknown format is ordered or passes Check")
	}
}
