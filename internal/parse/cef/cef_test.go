package cef

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

func newParser() *Parser {
	return New(Options{Now: func() time.Time { return parsetest.Received }})
}

func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			if err := newParser().Parse([]byte(in), e); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsetest.Check(t, e, in)
			parsetest.Equal(t, e, want)
		})
	}
	const hdr = `"cef.version":0,"observer.vendor":"Security","observer.product":"threatmanager","observer.version":"1.0","event.code":"100"`
	// The spec's examples.
	f(`CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232`,
		`{`+hdr+`,"event.severity":10,"message":"worm successfully stopped","source.ip":"10.0.0.1","destination.ip":"2.1.2.2","source.port":1232}`)
	f(`CEF:0|security|threatmanager|1.0|100|detected a \| in message|10|src=10.0.0.1 act=blocked a \= dst=1.1.1.1`,
		`{"cef.version":0,"observer.vendor":"security","observer.product":"threatmanager","observer.version":"1.0","event.code":"100","event.severity":10,"message":"detected a | in message","source.ip":"10.0.0.1","event.action":"blocked a =","destination.ip":"1.1.1.1"}`)
	f(`CEF:0|security|threatmanager|1.0|100|detected a \\ in packet|10|src=10.0.0.1 act=blocked a \\ dst=1.1.1.1`,
		`{"cef.version":0,"observer.vendor":"security","observer.product":"threatmanager","observer.version":"1.0","event.code":"100","event.severity":10,"message":"detected a \\ in packet","source.ip":"10.0.0.1","event.action":"blocked a \\","destination.ip":"1.1.1.1"}`)
	f(`CEF:0|security|threatmanager|1.0|100|detected a = in message|10|src=10.0.0.1 act=blocked a \= dst=1.1.1.1`,
		`{"cef.version":0,"observer.vendor":"security","observer.product":"threatmanager","observer.version":"1.0","event.code":"100","event.severity":10,"message":"detected a = in message","source.ip":"10.0.0.1","event.action":"blocked a =","destination.ip":"1.1.1.1"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|3|msg=Detected a threat.\n No action needed. cs1=x`,
		`{`+hdr+`,"event.severity":3,"cef.name":"n","message":"Detected a threat.\n No action needed.","cef.extensions.cs1":"x"}`)
	// Pairs separated by tabs (Carbon Black Cloud's syslog connector, other
	// templated senders), and a tab inside a value that no key follows.
	f("CEF:0|Security|threatmanager|1.0|100|n|3|src=10.0.0.1\tact=blocked a\tdst=1.1.1.1\t\tspt=1232\t",
		`{`+hdr+`,"event.severity":3,"message":"n","source.ip":"10.0.0.1","event.action":"blocked a","destination.ip":"1.1.1.1","source.port":1232}`)
	f("CEF:0|Security|threatmanager|1.0|100|n|3|\tact=a\tb c\tdst=1.1.1.1",
		`{`+hdr+`,"event.severity":3,"message":"n","event.action":"a\tb c","destination.ip":"1.1.1.1"}`)
	// Severity words, no extension, missing trailing '|'.
	f(`CEF:1|Security|threatmanager|1.0|100|n|Very-High|`, `{"cef.version":1,"observer.vendor":"Security","observer.product":"threatmanager","observer.version":"1.0","event.code":"100","event.severity":10,"message":"n"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|medium`, `{`+hdr+`,"event.severity":6,"message":"n"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|Unknown|`, `{`+hdr+`,"cef.severity":"Unknown","message":"n"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|11|`, `{`+hdr+`,"cef.severity":"11","message":"n"}`)
	// Values with spaces, URLs with '=', empty values, repeated spaces.
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|request=http://x/a?b=c&d=e requestMethod=GET  suser=John Smith duser= fname=a b.txt`,
		`{`+hdr+`,"event.severity":5,"message":"n","url.original":"http://x/a?b=c&d=e","http.request.method":"GET","source.user.name":"John Smith","file.name":"a b.txt"}`)
	// Labels, custom numbers, unknown keys, values that do not convert.
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|cs1Label=Policy Name cs1=Block All cn1=42 cn1Label=Risk cn2=7 cfp1=1.5 foo=bar src=host.example spt=http`,
		`{`+hdr+`,"event.severity":5,"message":"n","cef.extensions.Policy Name":"Block All","cef.extensions.Risk":42,"cef.extensions.cn2":7,"cef.extensions.cfp1":1.5,"cef.extensions.foo":"bar","cef.extensions.src":"host.example","cef.extensions.spt":"http"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|cs2Label=orphan`, `{`+hdr+`,"event.severity":5,"message":"n","cef.extensions.cs2Label":"orphan"}`)
	// Transport, direction, outcome, observer, NAT, bytes, times.
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|proto=TCP deviceDirection=1 outcome=/Failure dvc=192.168.1.1 dvchost=fw1 in=100 out=2000 sourceTranslatedAddress=1.2.3.4 sourceTranslatedPort=4444 app=HTTPS`,
		`{`+hdr+`,"event.severity":5,"message":"n","network.transport":"tcp","network.direction":"outbound","event.outcome":"failure","observer.ip":"192.168.1.1","observer.hostname":"fw1","source.bytes":100,"destination.bytes":2000,"source.nat.ip":"1.2.3.4","source.nat.port":4444,"network.protocol":"https"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|rt=1764000000123 start=Nov 23 2026 10:20:30.500 UTC end=Nov 23 2026 11:20:30 +0100`,
		`{`+hdr+`,"event.severity":5,"message":"n","@timestamp":"2025-11-24T16:00:00.123Z","event.start":"2026-11-23T10:20:30.5Z","event.end":"2026-11-23T10:20:30Z"}`)
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|rt=Nov 23 10:20:30 start=yesterday outcome=allowed`,
		`{`+hdr+`,"event.severity":5,"message":"n","@timestamp":"2026-11-23T10:20:30Z","cef.extensions.start":"yesterday","cef.extensions.outcome":"allowed"}`)
	// Behind syslog headers.
	f(`<134>Oct 11 22:14:15 fw01 CEF:0|Security|threatmanager|1.0|100|n|5|src=10.0.0.1`,
		`{"pri":134,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"fw01","host.name":"fw01",`+hdr+`,"event.severity":5,"message":"n","source.ip":"10.0.0.1"}`)
	f(`<134>Oct 11 22:14:15 CEF:0|Security|threatmanager|1.0|100|n|5|src=10.0.0.1`,
		`{"pri":134,"@timestamp":"2026-10-11T22:14:15Z",`+hdr+`,"event.severity":5,"message":"n","source.ip":"10.0.0.1"}`)
	f(`<134>Oct 11 22:14:15 fw01 agent[7]: CEF:0|Security|threatmanager|1.0|100|n|5|`,
		`{"pri":134,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"fw01","host.name":"fw01","process.name":"agent","process.pid":7,`+hdr+`,"event.severity":5,"message":"n"}`)
	f(`<134>1 2026-11-23T10:00:00Z fw01 cef - - - CEF:0|Security|threatmanager|1.0|100|n|5|rt=1764000000123`,
		`{"pri":134,"log.syslog.version":1,"@timestamp":"2025-11-24T16:00:00.123Z","host.hostname":"fw01","host.name":"fw01","process.name":"cef",`+hdr+`,"event.severity":5,"message":"n"}`)
	// Duplicate keys: the last wins.
	f(`CEF:0|Security|threatmanager|1.0|100|n|5|act=a act=b`, `{`+hdr+`,"event.severity":5,"message":"n","event.action":"b"}`)
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			err := newParser().Parse([]byte(in), e)
			if err == nil {
				t.Fatalf("no error; fields %s", parsetest.Render(e))
			}
			if !errors.Is(err, formaterr.ErrFormat) || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	f(`CEF:0|a|b|c`, `cef: header at 11: want 7 '|'-separated fields after CEF:, found 4`)
	f(`CEF:x|a|b|c|d|e|1|`, `cef: version at 4: want a number`)
	f(`CEF:0|a|b|c|d|e|1|garbage`, `cef: extension at 18: want key=value`)
	f(`CEF:0|a|b|c|d|e|1|=v`, `cef: extension at 18: want key=value`)
	f(`<134>Oct 11 22:14:15 host something else`, `cef: header at 36: want "CEF:"`)
	f(`hello`, `rfc3164: timestamp at 0: want a PRI or a timestamp (Mmm dd hh:mm:ss or RFC 3339)`)
	f(`<999>1 - - - - - - CEF:0|a|b|c|d|e|1|`, `rfc5424: priority at 0: priority above 191`)
}

// TestParseTimeFormats checks every date format "Implementing ArcSight CEF"
// lists for rt, start and end.
func TestParseTimeFormats(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`1781524770123`, "2026-06-15T11:59:30.123Z"},
		{`Jun 15 2026 11:59:30.123 GMT`, "2026-06-15T11:59:30.123Z"},
		{`Jun 15 2026 11:59:30.123`, "2026-06-15T11:59:30.123Z"},
		{`Jun 15 2026 11:59:30 GMT`, "2026-06-15T11:59:30Z"},
		{`Jun 15 2026 13:59:30 +0200`, "2026-06-15T11:59:30Z"},
		{`Jun 15 2026 11:59:30`, "2026-06-15T11:59:30Z"},
		{`Jun 15 11:59:30.123 UTC`, "2026-06-15T11:59:30.123Z"},
		{`Jun 15 11:59:30.123`, "2026-06-15T11:59:30.123Z"},
		{`Jun 15 11:59:30 UTC`, "2026-06-15T11:59:30Z"},
		{`Jun 15 11:59:30`, "2026-06-15T11:59:30Z"},
	} {
		in := `CEF:0|Security|threatmanager|1.0|100|n|5|start=` + c.in + ` src=10.0.0.1`
		e := parsetest.NewEvent(in)
		if err := New(Options{Now: func() time.Time { return time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC) }}).Parse([]byte(in), e); err != nil {
			t.Fatalf("%s: Parse: %v", c.in, err)
		}
		v, ok := e.Get("event.start")
		if !ok {
			t.Errorf("%s: no event.start; fields %s", c.in, parsetest.Render(e))
			continue
		}
		if got := v.Time().UTC().Format(time.RFC3339Nano); got != c.want {
			t.Errorf("%s: event.start %s, want %s", c.in, got, c.want)
		}
	}
}
