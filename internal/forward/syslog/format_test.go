package syslog

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/parse/rfc5424"
)

func newOutput(t testing.TB, cfg Config) *Output {
	t.Helper()
	cfg.Address = "127.0.0.1:514"
	o, err := New(cfg, forward.BuildEnv{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestFormat(t *testing.T) {
	e := &event.Event{Timestamp: time.Date(2026, 11, 23, 10, 30, 1, 123456789, time.UTC), ID: "abc", Tenant: "acme", Source: "fw", Original: "raw line"}
	e.Set("host.name", event.String("web 01"))
	e.Set("message", event.String(`say "hi"]`))
	sev := &event.Event{ID: "x", Timestamp: e.Timestamp}
	sev.Set("log.syslog.severity.code", event.Int(3))
	f := func(cfg Config, e *event.Event, want string) {
		t.Helper()
		if got := string(newOutput(t, cfg).appendMessage(nil, e)); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
	json := string(e.AppendJSON(nil))
	f(Config{}, e, `<134>1 2026-11-23T10:30:01.123456Z web_01 vigil - - [vigil@32473 id="abc" tenant="acme" source="fw"] `+json)
	f(Config{Message: MessageOriginal}, e, `<134>1 2026-11-23T10:30:01.123456Z web_01 vigil - - [vigil@32473 id="abc" tenant="acme" source="fw"] raw line`)
	f(Config{Format: FormatRFC3164}, e, `<134>Nov 23 10:30:01 web_01 vigil: `+json)
	f(Config{AppName: "siem", SDID: "fwd@1234", Facility: ptr(4), Severity: ptr(5)}, sev,
		`<35>1 2026-11-23T10:30:01.123456Z - siem - - [fwd@1234 id="x" tenant="default"] `+string(sev.AppendJSON(nil)))
	// A record that was not UTF-8 goes out as its exact bytes (issue 9,
	// finding 14).
	latin := &event.Event{ID: "l", Tenant: "t", Timestamp: e.Timestamp, Original: "caf\xe9 \xff"}
	latin.KeepExactOriginal()
	f(Config{Message: MessageOriginal}, latin, "<134>1 2026-11-23T10:30:01.123456Z - vigil - - [vigil@32473 id=\"l\" tenant=\"t\"] caf\xe9 \xff")
	esc := &event.Event{ID: `a"b\c]d`, Tenant: "t", Timestamp: e.Timestamp}
	f(Config{Message: MessageOriginal}, esc, `<134>1 2026-11-23T10:30:01.123456Z - vigil - - [vigil@32473 id="a\"b\\c\]d" tenant="t"] `)
}

func ptr(i int) *int { return &i }

func TestConfigValidation(t *testing.T) {
	f := func(extra, wantErr string) {
		t.Helper()
		_, err := config.Parse([]byte("outputs: [{name: s, type: syslog" + extra + "}]"))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", extra, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%s: error %v, want %q", extra, err, wantErr)
		}
	}
	f(", address: 'h:514'", "")
	f("", "address")
	f(", address: 'h:514', protocol: sctp", "protocol")
	f(", address: 'h:514', format: cef", "format")
	f(", address: 'h:514', framing: nul", "framing")
	f(", address: 'h:514', format: rfc3164, message: original", "needs format rfc5424")
	f(", address: 'h:514', facility: 24", "facility")
	f(", address: 'h:514', sd_id: vigil", "sd_id")
	f(", address: 'h:514', app_name: 'a b'", "app_name")
	f(", address: 'h:514', protocol: udp, tls: {ca_file: x}", "need protocol tls")
	f(", address: 'h:6514', tls: {ca_file: x}", "")
}

// FuzzRFC5424 checks that whatever the event holds, the message is one
// valid RFC 5424 message whose structured data carries the event's id,
// tenant and source (each byte of an invalid UTF-8 sequence as U+FFFD, the
// writer's rule), and whose host name is a valid header field.
func FuzzRFC5424(f *testing.F) {
	f.Add("abc", "acme", "fw", "web01", "hello", false)
	f.Add(`a"]\`, "t", "", "host with spaces", "ünïcödé\n", true)
	f.Add("", "", "", "", "", false)
	o := newOutput(f, Config{})
	orig := newOutput(f, Config{Message: MessageOriginal})
	p := rfc5424.New()
	f.Fuzz(func(t *testing.T, id, tenant, source, host, msg string, original bool) {
		e := &event.Event{ID: id, Tenant: tenant, Source: source, Original: msg, Timestamp: time.Unix(1_790_000_000, 5000)}
		e.SetString("host.name", host)
		out := o
		if original {
			out = orig
		}
		b := out.appendMessage(nil, e)
		var got event.Event
		if err := p.Parse(b, &got); err != nil {
			t.Fatalf("%q does not parse: %v", b, err)
		}
		sd := rfc5424.SDPrefix + DefaultSDID + "."
		id, tenant, source = string([]rune(id)), string([]rune(tenant)), string([]rune(source)) // U+FFFD per bad byte
		if got.GetString(sd+"id") != id {
			t.Fatalf("%q: id %q, want %q", b, got.GetString(sd+"id"), id)
		}
		wantTenant := tenant
		if wantTenant == "" {
			wantTenant = event.DefaultTenant
		}
		if got.GetString(sd+"tenant") != wantTenant || got.GetString(sd+"source") != source {
			t.Fatalf("%q: tenant/source %q/%q", b, got.GetString(sd+"tenant"), got.GetString(sd+"source"))
		}
		if host != "" && host != "-" && got.GetString("host.name") == "" { // "-" is the NILVALUE
			t.Fatalf("%q: host %q lost", b, host)
		}
	})
}

// TestHeaderBadBytes pins the writer's one rule for bytes RFC 5424 does not
// allow: '_' in header fields (cut to their length, "-" when empty), U+FFFD
// for invalid UTF-8 in parameter values, and a backslash before '"', '\'
// and ']'.
func TestHeaderBadBytes(t *testing.T) {
	h := Header{Facility: 4, Severity: 2, Time: time.Date(2026, 11, 23, 10, 30, 1, 5000, time.FixedZone("x", 3600)),
		Hostname: "web 01\x00é", AppName: strings.Repeat("a", 60), ProcID: "", MsgID: "al\tert",
		SDID: "vigil@32473", Params: []Param{{"id", "caf\xe9\xff"}, {"t", `a"b\c]d`}, {"u", "ünï"}}}
	got := string(AppendHeader(nil, &h))
	want := `<34>1 2026-11-23T09:30:01.000005Z web_01___ ` + strings.Repeat("a", 48) + ` - al_ert [vigil@32473 id="caf` + "\uFFFD\uFFFD" + `" t="a\"b\\c\]d" u="ünï"] `
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if err := rfc5424.New().Parse([]byte(got+"msg"), &event.Event{}); err != nil {
		t.Errorf("%q does not parse: %v", got, err)
	}
	if got := string(AppendHeader(nil, &Header{Time: h.Time})); got != `<0>1 2026-11-23T09:30:01.000005Z - - - - - ` {
		t.Errorf("empty header: %q", got)
	}
}
