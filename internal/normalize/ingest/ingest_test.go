package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

func mustParse(t *testing.T, src string) *Pipeline {
	t.Helper()
	p, err := Parse("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func msgEvent(msg string, fields ...string) *event.Event {
	e := &event.Event{Original: msg}
	e.Set("message", event.String(msg))
	for i := 0; i+1 < len(fields); i += 2 {
		e.Set(fields[i], event.String(fields[i+1]))
	}
	return e
}

func want(t *testing.T, e *event.Event, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		if got := e.GetString(kv[i]); got != kv[i+1] {
			t.Errorf("%s = %q, want %q (fields %v)", kv[i], got, kv[i+1], e.Fields)
		}
	}
}

func TestGrokLibraryCompiles(t *testing.T) {
	lib, err := Patterns()
	if err != nil {
		t.Fatal(err)
	}
	for name := range lib {
		if _, err := compileGrok("%{"+name+"}", nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestGrokPatterns(t *testing.T) {
	cases := []struct{ pattern, in, want string }{
		{"IPV4", "10.1.2.3", "10.1.2.3"},
		{"IPV6", "2001:db8::1", "2001:db8::1"},
		{"IPV6", "fe80::1%eth0", "fe80::1%eth0"},
		{"IP", "::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"HOSTNAME", "www.example.com", "www.example.com"},
		{"NUMBER", "-12.5", "-12.5"},
		{"INT", "+42", "+42"},
		{"WORD", "hello_1", "hello_1"},
		{"NOTSPACE", "a/b:c", "a/b:c"},
		{"QUOTEDSTRING", `"a \"b\" c"`, `"a \"b\" c"`},
		{"SYSLOGTIMESTAMP", "Dec  7 06:00:01", "Dec  7 06:00:01"},
		{"TIMESTAMP_ISO8601", "2026-12-07T06:00:01.123+01:00", "2026-12-07T06:00:01.123+01:00"},
		{"HTTPDATE", "10/Oct/2000:13:55:36 -0700", "10/Oct/2000:13:55:36 -0700"},
		{"URIPATHPARAM", "/a/b.php?x=1&y=%20", "/a/b.php?x=1&y=%20"},
		{"MAC", "00:1a:2B:3c:4d:5e", "00:1a:2B:3c:4d:5e"},
		{"MAC", "001a.2b3c.4d5e", "001a.2b3c.4d5e"},
		{"LOGLEVEL", "WARNING", "WARNING"},
		{"USERNAME", "j.doe@corp", "j.doe@corp"},
		{"UUID", "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"},
		{"EMAILADDRESS", "a.b@example.org", "a.b@example.org"},
	}
	for _, c := range cases {
		g, err := compileGrok("^%{"+c.pattern+":x}$", nil)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		e := &event.Event{}
		m := g.re.FindStringSubmatchIndex(c.in)
		if m == nil {
			t.Errorf("%s does not match %q", c.pattern, c.in)
			continue
		}
		if got := c.in[m[2]:m[3]]; got != c.want {
			t.Errorf("%s on %q captured %q", c.pattern, c.in, got)
		}
		_ = e
	}
	for _, c := range []struct{ pattern, in string }{{"IPV4", "256.1.1.1"}, {"INT", "x1"}, {"MAC", "00:11:22"}} {
		g, _ := compileGrok("^%{"+c.pattern+"}$", nil)
		if g.re.MatchString(c.in) {
			t.Errorf("%s matches %q", c.pattern, c.in)
		}
	}
}

// TestGrokFastIP: the short address patterns with the check, and the
// prefix and literal checks before the engine, give the captures the
// library's patterns give, on addresses valid and not.
func TestGrokFastIP(t *testing.T) {
	patterns := []string{
		`client %{IP:source.ip}#%{INT:source.port}`,
		`%{IPV4:a} x`,
		`^%{IPV6:a}$`,
		`from %{IP:a}(?: port %{INT:p})?`,
		`%{IP:a}:%{INT:p}`,
		`(?:%{IPV4:a}|%{WORD:w})$`,
		// No address: the prefix and literal checks alone.
		`^client %{NOTSPACE:c}#%{INT:p}`,
		`from %{NOTSPACE:a} port %{INT:p}`,
		// A last group that takes the rest of the line: the head matches.
		`^type=%{WORD:t} (?<rest>.*)$`,
		`msg_id="(?<c>[0-9A-F]{4})" (?<m>.*)$`,
		`(?:x(?<a>\d+))?%{GREEDYDATA:all}$`,
		`^client %{IP:a}(?: (?<r>.*))?$`,
		`^(?<a>\w+?)(?<b>.*)$`,
	}
	inputs := []string{
		"client 10.1.2.3#53", "client 256.1.1.1#53", "client ::ffff:10.0.0.1#53", "client fe80::1%eth0#53",
		"client 2001:db8::1#53", "client 1.2.3#53", "1.2.3.4.5 x", "999.1.1.1 x 10.0.0.1 x", "2001:db8::1",
		"::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "from 10.0.0.1 port 22", "from 10.0.0.300 port 22",
		"from 2001:db8::5", "2001:db8::1:53", "10.0.0.1:8080", "[::1]:80", "a 300.1.1.1", "a 10.2.3.4", "zz",
		"type=SYSCALL msg=audit(1.2:3): a=b", "type=X \nmore", "x type=Y z", `msg_id="3000-0148" Allow 1 2`,
		`msg_id="3000" a`, "x12 rest", "x12\nrest", "", "client 10.0.0.1 more text", "client 10.0.0.1",
	}
	for _, p := range patterns {
		g, err := compileGrok(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if g.fast == nil && strings.Contains(p, "%{IP") {
			t.Fatalf("%s: no fast form", p)
		}
		if strings.HasSuffix(p, ".*)$") && g.reHead == nil {
			t.Errorf("%s: no head", p)
		}
		for _, in := range inputs {
			want := captures(in, g.re.FindStringSubmatchIndex(in), g.caps)
			if w, ok := fastBetter[p+"|"+in]; ok {
				want = w
			}
			st := getBtState()
			m, caps := g.match(in, st)
			if got := captures(in, m, caps); got != want {
				t.Errorf("%s on %q: %s, want %s", p, in, got, want)
			}
			putBtState(st)
		}
	}
}

// fastBetter are the cases where the short pattern takes the whole
// address and the library's IPV6, whose first alternatives end in "::",
// stops before its last group.
var fastBetter = map[string]string{
	`from %{IP:a}(?: port %{INT:p})?|from 2001:db8::5`: `a="2001:db8::5" `,
}

func captures(s string, m []int, caps []grokCapture) string {
	if m == nil {
		return "no match"
	}
	var b strings.Builder
	for _, c := range caps {
		if a := m[2*c.group]; a >= 0 {
			fmt.Fprintf(&b, "%s=%q ", c.field, s[a:m[2*c.group+1]])
		}
	}
	return b.String()
}

func TestGrokStep(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - grok:
      field: message
      patterns:
        - '^%{WORD:event.action} from %{IP:source.ip} port %{INT:source.port} as (?<user.name>\w+)$'
        - '^%{WORD:event.action} %{MYCODE:event.code:int}$'
      pattern_definitions:
        MYCODE: 'E\d+'
`)
	e := msgEvent("accepted from 10.0.0.1 port 2222 as bob")
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "event.action", "accepted", "source.ip", "10.0.0.1", "source.port", "2222", "user.name", "bob", FieldPipeline, "t")
	if v, _ := e.Get("source.port"); v.Kind() != event.KindInt {
		t.Errorf("source.port kind %v, want int (ECS long)", v.Kind())
	}
	if v, _ := e.Get("source.ip"); v.Kind() != event.KindIP {
		t.Errorf("source.ip kind %v, want ip", v.Kind())
	}
	e = msgEvent("failed E42")
	_, err := p.Run(e)
	if err == nil || !strings.Contains(err.Error(), `"E42" is not an integer`) {
		t.Errorf("err = %v, want the int conversion failure", err)
	}
	e = msgEvent("nothing here")
	_, err = p.Run(e)
	se, ok := err.(*StepError)
	if !ok || se.Pipeline != "t" || se.Step != 1 || se.Kind != "grok" {
		t.Fatalf("err = %#v, want a StepError for step 1 grok", err)
	}
	if got := err.Error(); got != "pipeline t step 1 (grok): no pattern matched message" {
		t.Errorf("error text %q", got)
	}
}

func TestDissectKVCSV(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - dissect:
      pattern: '%{?skip} [%{log.level}] %{+msg} %{+msg} -> %{rest}'
      append_separator: ' '
  - kv:
      field: rest
      field_split: ' '
      value_split: '='
      prefix: kv.
      rename: {src: source.ip, dpt: destination.port}
      exclude_keys: [junk]
  - csv:
      field: kv.list
      target_fields: [a, '', c]
  - split: {field: kv.tags, separator: '|', target_field: tags}
  - uppercase: {field: a}
  - convert: {field: kv.n, type: integer}
  - gsub: {field: msg, pattern: 'o', replacement: '0'}
`)
	e := msgEvent(`x [WARN] hello world -> src=10.1.1.1 dpt=443 junk=1 name="a b c" list="1,2,3" tags=x|y n=7`)
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "log.level", "WARN", "msg", "hell0 w0rld", "source.ip", "10.1.1.1", "destination.port", "443",
		"kv.name", "a b c", "a", "1", "c", "3", "tags", "x, y", "kv.n", "7", "kv.junk", "", "skip", "")
	if v, _ := e.Get("kv.n"); v.Kind() != event.KindInt {
		t.Errorf("convert: kind %v", v.Kind())
	}
}

func TestSetRenameLookupCIDRDate(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	defer func() { now = time.Now }()
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - rename: {fields: {srcip: source.ip, act: event.action}, rest_prefix: vendor.}
  - set: {field: event.kind, value: event}
  - set: {field: event.severity, value: 3}
  - set: {field: rule.name, value: '{{vendor.rule}}/{{event.action}}'}
  - set: {field: event.kind, value: alert, override: false}
  - copy: {field: source.ip, target_field: related.ip}
  - append: {field: related.ip, value: ['{{vendor.dst}}'], allow_duplicates: false}
  - lookup: {field: event.action, target_field: event.outcome, table: {Permit: success, Deny: failure}, ignore_case: true}
  - cidr:
      field: source.ip
      target_field: network.direction
      ranges: [{value: internal, cidrs: [10.0.0.0/8, 192.168.0.0/16]}, {value: lab, cidrs: [10.9.0.0/16]}]
      default: external
  - date: {field: vendor.when, formats: ['MMM d HH:mm:ss', 'ISO8601'], timezone: Europe/Paris}
  - lowercase: {field: event.action}
  - remove: {field: [vendor.when, vendor.tmp.*]}
  - drop: {if: 'event.action:noise'}
`)
	e := &event.Event{}
	for _, kv := range [][2]string{{"srcip", "10.9.1.2"}, {"act", "PERMIT"}, {"rule", "r1"}, {"dst", "10.9.1.2"}, {"when", "Feb  3 04:05:06"}, {"vendor.tmp.x", "1"}} {
		e.Set(kv[0], event.String(kv[1]))
	}
	e.Set("message", event.String("m"))
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "source.ip", "10.9.1.2", "event.action", "permit", "event.kind", "event", "rule.name", "r1/PERMIT",
		"related.ip", "10.9.1.2", "event.outcome", "success", "network.direction", "lab", "vendor.rule", "r1",
		"@timestamp", "2026-02-03T03:05:06Z", "vendor.when", "", "vendor.tmp.x", "", "message", "m")
	if v, _ := e.Get("event.severity"); v.Kind() != event.KindInt {
		t.Errorf("event.severity kind %v", v.Kind())
	}
	e = &event.Event{}
	e.Set("act", event.String("noise"))
	e.Set("srcip", event.String("10.0.0.1"))
	e.Set("when", event.String("2026-01-01T00:00:00Z"))
	dropped, err := p.Run(e)
	if !dropped || err != nil {
		t.Errorf("drop: %v %v", dropped, err)
	}
}

// TestRenamePrefixKeepPath moves a subtree keeping the path below the
// prefix; without keep_path only the last segment is kept.
func TestRenamePrefixKeepPath(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - rename: {prefix: {from: detail., to: '', keep_path: true}}
  - rename: {prefix: {from: requestParameters., to: vendor.req., keep_path: true}}
  - rename: {prefix: {from: sd.x@1., to: short.}}
`)
	e := &event.Event{}
	for _, kv := range [][2]string{{"detail.eventName", "Run"}, {"detail.requestParameters.a.b", "1"}, {"detail.", "edge"}, {"sd.x@1.k.v", "2"}, {"other", "3"}} {
		e.Set(kv[0], event.String(kv[1]))
	}
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "eventName", "Run", "vendor.req.a.b", "1", "detail.", "edge", "short.v", "2", "other", "3",
		"detail.eventName", "", "requestParameters.a.b", "")
}

func TestSelection(t *testing.T) {
	a := mustParse(t, "name: a\nmatch:\n  - cef: {vendor: Check Point}\nsteps: [{set: {field: x, value: a}}]\n")
	b := mustParse(t, "name: b\nmatch:\n  - keys: [eventVersion, eventSource]\n  - regex: '^\\w+ login'\n    field: message\nsteps: [{set: {field: x, value: b}}]\n")
	c := mustParse(t, "name: c\nmatch:\n  - if: 'observer.vendor:acme AND NOT x:*'\nsteps: [{set: {field: x, value: c}}]\n")
	set, err := NewSet([]*Pipeline{c}, []*Pipeline{a, b})
	if err != nil {
		t.Fatal(err)
	}
	cef := &event.Event{}
	cef.Set("cef.version", event.Int(0))
	cef.Set("observer.vendor", event.String("check point"))
	ct := &event.Event{}
	ct.Set("eventVersion", event.String("1.08"))
	ct.Set("eventSource", event.String("s3.amazonaws.com"))
	for _, c := range []struct {
		e    *event.Event
		want string
	}{{cef, "a"}, {ct, "b"}, {msgEvent("bob login ok"), "b"}, {msgEvent("hello", "observer.vendor", "ACME"), "c"}, {msgEvent("none"), ""}} {
		name, _, err := set.Run(c.e)
		if err != nil || name != c.want {
			t.Errorf("pipeline %q (%v), want %q", name, err, c.want)
		}
	}
	if st := set.Stats(); len(st) != 3 || st[0].Pipeline != "a" || st[0].Handled != 1 || st[1].Handled != 2 {
		t.Errorf("stats %+v", st)
	}
	// An event that has event.kind was normalised before: left alone.
	done := msgEvent("bob login ok", "event.kind", "event")
	if name, _, _ := set.Run(done); name != "" || done.Has("x") {
		t.Errorf("a normalised event was taken by %q", name)
	}
}

// TestSelectionLEEF: cef: selects LEEF records by their header's vendor
// and product as it does CEF ones (after a syslog header or not), cef: {}
// takes any CEF or LEEF record, and a record that only names the vendor in
// observer.vendor, without a LEEF header, is neither.
func TestSelectionLEEF(t *testing.T) {
	box := mustParse(t, "name: box\nmatch:\n  - cef: {vendor: Acme, product: Box}\nsteps: [{set: {field: x, value: box}}]\n")
	anyp := mustParse(t, "name: any\nmatch:\n  - cef: {}\nsteps: [{set: {field: x, value: any}}]\n")
	set, err := NewSet(nil, []*Pipeline{box, anyp})
	if err != nil {
		t.Fatal(err)
	}
	leef := func(orig, vendor, product string) *event.Event {
		e := &event.Event{Original: orig}
		e.Set("observer.vendor", event.String(vendor))
		e.Set("observer.product", event.String(product))
		return e
	}
	cef := leef("CEF:0|Other|Thing|1|2|n|3|", "Other", "Thing")
	cef.Set("cef.version", event.Int(0))
	for _, c := range []struct {
		name string
		e    *event.Event
		want string
	}{
		{"LEEF", leef("LEEF:1.0|Acme|Box|1.0|ev1|src=10.0.0.1", "Acme", "Box"), "box"},
		{"LEEF after syslog", leef("<14>Jun  3 16:21:00 host LEEF:2.0|ACME|box|1.0|ev1|^|src=10.0.0.1", "ACME", "box"), "box"},
		{"LEEF of another product", leef("LEEF:1.0|Acme|Other|1.0|ev1|src=10.0.0.1", "Acme", "Other"), "any"},
		{"CEF of another vendor", cef, "any"},
		{"no LEEF header", leef(`{"observer.vendor":"Acme"}`, "Acme", "Box"), ""},
		{"LEEF header of another vendor", leef("LEEF:1.0|Other|Box|1.0|ev1|", "Acme", "Box"), ""},
	} {
		name, _, err := set.Run(c.e)
		if err != nil || name != c.want {
			t.Errorf("%s: pipeline %q (%v), want %q", c.name, name, err, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"name: Bad Name\nmatch: [{app: x}]\nsteps: [{drop: {}}]":                                                         "name",
		"name: a\nsteps: [{drop: {}}]":                                                                                   "no match",
		"name: a\nmatch: [{}]\nsteps: [{drop: {}}]":                                                                      "empty",
		"name: a\nmatch: [{app: x}]\nsteps: []":                                                                          "no steps",
		"name: a\nmatch: [{app: x}]\nsteps: [{frob: {}}]":                                                                "unknown processor",
		"name: a\nmatch: [{app: x}]\nsteps: [{grok: {patterns: ['%{NOPE}']}}]":                                           "unknown grok pattern",
		"name: a\nmatch: [{app: x}]\nsteps: [{grok: {patterns: ['%{A}'], pattern_definitions: {A: '%{B}', B: '%{A}'}}}]": "refers to itself",
		"name: a\nmatch: [{app: x}]\nsteps: [{set: {field: source.port, value: http}}]":                                  "not an integer",
		"name: a\nmatch: [{app: x}]\nsteps: [{set: {field: a, value: 1, bogus: 2}}]":                                     "bogus",
		"name: a\nmatch: [{app: x}]\nsteps: [{drop: {if: 'a:(b'}}]":                                                      "if:",
		"name: a\nmatch: [{app: x}]\nsteps: [{date: {field: t, formats: ['yyyy-QQ']}}]":                                  "not supported",
		"name: a\nmatch: [{app: x}]\nsteps: [{dissect: {pattern: '%{a}%{b}'}}]":                                          "no delimiter",
	}
	for src, wantErr := range cases {
		_, err := Parse("t.yml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%q: err %v, want %q", src, err, wantErr)
		}
	}
}

func TestOnFailureAndIgnore(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - grok:
      patterns: ['^A %{INT:n}$']
      on_failure:
        - set: {field: parse, value: failed}
  - grok: {patterns: ['^B'], ignore_failure: true}
  - set: {field: done, value: 'yes'}
`)
	e := msgEvent("zzz")
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "parse", "failed", "done", "yes")
}

// deadLetters keeps what the processor sends.
type deadLetters struct{ got []pipeline.DeadLetter }

func (d *deadLetters) WriteDeadLetters(_ context.Context, l []pipeline.DeadLetter) error {
	d.got = append(d.got, l...)
	return nil
}

func TestProcessorDeadLetters(t *testing.T) {
	p := mustParse(t, "name: fw\nmatch: [{app: fw}]\nsteps:\n  - dissect: {pattern: 'src=%{source.ip} '}\n  - drop: {if: 'source.ip:10.0.0.9'}\n")
	set, _ := NewSet(nil, []*Pipeline{p})
	proc := NewProcessor(set, nil)
	mk := func(msg string) *event.Event {
		e := msgEvent(msg, "process.name", "fw")
		e.Tenant, e.Source, e.Ingested = "t1", "udp", time.Unix(1, 0)
		return e
	}
	// Without a dead-letter store the failed event is kept and marked.
	out := proc.Process(context.Background(), []*event.Event{mk("src=bad ")})
	if len(out) != 1 || !strings.Contains(out[0].GetString(FieldError), "pipeline fw step 1 (dissect)") {
		t.Fatalf("kept event: %+v", out)
	}
	dl := &deadLetters{}
	proc.SetDeadLetters(dl)
	evs := []*event.Event{mk("src=10.0.0.1 "), mk("src=bad "), mk("other"), mk("src=10.0.0.9 "), msgEvent("not fw")}
	out = proc.Process(context.Background(), evs)
	if len(out) != 2 || out[0].GetString("source.ip") != "10.0.0.1" || out[1].GetString("message") != "not fw" {
		t.Fatalf("out = %v", out)
	}
	if len(dl.got) != 2 {
		t.Fatalf("dead letters %+v", dl.got)
	}
	l := dl.got[0]
	if l.Tenant != "t1" || l.Source != "udp" || l.Format != "pipeline" || string(l.Data) != "src=bad " ||
		l.Reason != `pipeline fw step 1 (dissect): field source.ip: "bad" is not an IP address` {
		t.Errorf("dead letter %+v", l)
	}
	if !strings.Contains(dl.got[1].Reason, `delimiter "src=" not found`) && !strings.Contains(dl.got[1].Reason, `does not start with "src="`) {
		t.Errorf("second reason %q", dl.got[1].Reason)
	}
	st := set.Stats()[0]
	if st.Handled != 1 || st.Failed != 3 || st.Dropped != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestBody(t *testing.T) {
	for _, c := range []struct{ orig, prog, version, want string }{
		{"<13>Mar  4 08:15:02 h xd[1]: a=b c=d", "xd", "", "a=b c=d"},
		{"<13>Mar  4 08:15:02 h xd: a=b", "xd", "", "a=b"},
		{"<189>date=2024 x=1", "", "", "date=2024 x=1"},
		{`<14>1 2026-12-07T06:00:00Z gw app 12 ID [a@1 k="v]"][b@2 x="y"] body text`, "app", "1", "body text"},
		{"<14>1 2026-12-07T06:00:00Z gw app 12 ID - body", "app", "1", "body"},
		{"plain", "", "", "plain"},
		{"<14>May 10 11:37:47 PA-VM 1,2024/05/10 11:37:47,0128,TRAFFIC", "1,2024/05/10", "", "1,2024/05/10 11:37:47,0128,TRAFFIC"},
		// A syslog file: the header without a priority.
		{"May 10 11:37:47 mx1 postfix/smtpd[1234]: disconnect from x[1.2.3.4]", "postfix/smtpd", "", "disconnect from x[1.2.3.4]"},
		{"2024-05-10T11:37:47.1+00:00 web01 sshd[12]: Accepted password", "sshd", "", "Accepted password"},
		{"1 2026-12-07T06:00:00Z gw app 12 ID - body", "app", "1", "body"},
		{"May 10 11:37:47 fw01 1,2024/05/10 11:37:47,0128,TRAFFIC", "1,2024/05/10", "", "1,2024/05/10 11:37:47,0128,TRAFFIC"},
		// No program found: the whole text; never JSON or CEF.
		{"May 10 11:37:47 not syslog", "", "", "May 10 11:37:47 not syslog"},
		{`{"process.name":"x","a":"x: b"}`, "x", "", `{"process.name":"x","a":"x: b"}`},
		{"CEF:0|V|P|1|x|n|1|a=b", "V", "", "CEF:0|V|P|1|x|n|1|a=b"},
		{"2015-05-13T23:39:43.9Z my-lb 192.0.2.1:2817 10.0.0.1:80 0.1", "192.0.2.1", "", "2015-05-13T23:39:43.9Z my-lb 192.0.2.1:2817 10.0.0.1:80 0.1"},
	} {
		e := &event.Event{Original: c.orig}
		e.SetString("process.name", c.prog)
		e.SetString("log.syslog.version", c.version)
		if got, _ := body(e); got != c.want {
			t.Errorf("body(%q) = %q, want %q", c.orig, got, c.want)
		}
		// Selection finds the same body from the fields of its key pass.
		sc := &selCache{}
		if got, _ := sc.body(e); got != c.want {
			t.Errorf("selection's body(%q) = %q, want %q", c.orig, got, c.want)
		}
	}
}

// TestAnchoredPrefix: the byte prefix of an anchored pattern accepts
// every text the pattern matches and turns away texts that differ in
// its fixed-width start.
func TestAnchoredPrefix(t *testing.T) {
	cases := []prefixCase{
		{`^2 \d+`, true, 3, []string{"2 1", "2 99x"}, []string{"3 1", "2x1", "2 "}},
		{`^(?:1|\d+),`, true, 1, []string{"1,", "19,"}, []string{"a1"}},
		{`^(?:http|https|h2)? x`, false, 0, nil, nil},
		{`^[A-Z]{3}\d`, true, 4, []string{"QZA1"}, []string{"QZa1", "QZA"}},
		{`^(?i)type=`, true, 5, []string{"TYPE=", "tYpe=x"}, []string{"typ=", "xtype="}},
		// k and s fold to non-ASCII runes (the Kelvin and long-s signs),
		// which take more bytes: the positions stop there.
		{`^(?i)ak=`, true, 1, []string{"AK=", "a\u212a="}, []string{"b"}},
		{`^\d{4}-\d\d-\d\dT[0-9:.]+Z app/`, true, 12, []string{"2024-05-10T11:37:47.1Z app/x"}, []string{"2024/05-10T1", "2024-05-10 11"}},
		{`^(?:https?|h2|grpcs?|wss?) \d{4}`, true, 2, []string{"h2 2024", "wss 2024"}, []string{"ftp 2024"}},
		{`^<\d+>1 \d{10}`, true, 2, []string{"<134>1 1700000000"}, []string{"134>"}},
		{`^é`, false, 0, nil, nil},
		{`^.x`, false, 0, nil, nil},
		{`abc`, false, 0, nil, nil},
	}
	checkPrefixCases(t, anchoredPrefix, cases)
}

func TestRequiredLiteral(t *testing.T) {
	for re, want := range map[string]string{
		`\[[a-z_]+:"`:                           `:"`,
		`(?:^|\s)IN=\S* OUT=\S* .*SRC=`:         ` OUT=`,
		`RT_(?:FLOW|IDP)_\w+: `:                 `RT_`,
		`(?i)abc`:                               ``,
		`client (?:@0x[0-9a-f]+ )?[0-9a-f.:]+#`: `client `,
		`a|b`:                                   ``,
	} {
		if got := requiredLiteral(re); got != want {
			t.Errorf("%s: %q, want %q", re, got, want)
		}
	}
}

func TestProcessorMetrics(t *testing.T) {
	p := mustParse(t, "name: m\nmatch: [{app: x}]\nsteps:\n  - drop: {if: 'message:noise'}\n")
	set, _ := NewSet(nil, []*Pipeline{p})
	proc := NewProcessor(set, nil)
	reg := prometheus.NewRegistry()
	if err := proc.Register(reg); err != nil {
		t.Fatal(err)
	}
	proc.Process(context.Background(), []*event.Event{msgEvent("a", "process.name", "x"), msgEvent("noise", "process.name", "x")})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" {
					got[l.GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
	}
	if got["handled"] != 1 || got["dropped"] != 1 || got["failed"] != 0 {
		t.Errorf("metrics %v", got)
	}
}

func TestOnTypeErrorSkip(t *testing.T) {
	src := "name: t\n%smatch: [{app: x}]\nsteps:\n  - kv: {rename: {src: source.ip, spt: source.port, u: user.name}}\n  - set: {field: done, value: 'yes'}\n"
	strict := mustParse(t, fmt.Sprintf(src, ""))
	if _, err := strict.Run(msgEvent("src=gw.example spt=80 u=bob")); err == nil || !strings.Contains(err.Error(), `field source.ip: "gw.example" is not an IP address`) {
		t.Errorf("strict: err %v", err)
	}
	skip := mustParse(t, fmt.Sprintf(src, "on_type_error: skip\n"))
	e := msgEvent("src=gw.example spt=80 u=bob")
	if _, err := skip.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "source.port", "80", "user.name", "bob", "done", "yes", "source.ip", "", FieldTypeErrors, "source.ip")
	if _, err := Parse("t.yml", []byte(fmt.Sprintf(src, "on_type_error: maybe\n"))); err == nil {
		t.Error("on_type_error: maybe was accepted")
	}
}

// TestPrefixerBound: every name comes back prefixed, from the cache or
// built, and the cache stops at its bound.
func TestPrefixerBound(t *testing.T) {
	p := newPrefixer("v.")
	for round := 0; round < 2; round++ {
		for i := 0; i < maxCachedNames+500; i++ {
			n := fmt.Sprintf("k%d", i)
			if got := p.name(n); got != "v."+n {
				t.Fatalf("%s: %s", n, got)
			}
		}
	}
	if n := len(*p.cache.names.Load()) + len(p.cache.pending); n > maxCachedNames {
		t.Errorf("cache holds %d names, bound %d", n, maxCachedNames)
	}
	if got := p.name("a.b"); got != "a.b" {
		t.Errorf("dotted name: %s", got)
	}
}

// TestNameTable: the table finds every name it holds, and no other.
func TestNameTable(t *testing.T) {
	m := map[string]int{}
	for i := 0; i < 300; i++ {
		m[fmt.Sprintf("k%d", i)] = i
		m[fmt.Sprintf("fortinet.firewall.x%dy", i)] = -i
	}
	tab := newNameTable(m)
	for k, v := range m {
		if got := tab.get(k); got == nil || *got != v {
			t.Errorf("%s: %v, want %d", k, got, v)
		}
	}
	for _, k := range []string{"", "k", "k300", "x", "fortinet.firewall.x1", "k1 "} {
		if tab.get(k) != nil {
			t.Errorf("%q found", k)
		}
	}
}
