package rfc5424

import (
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: never panics; a record that parses gives valid fields, the
// same fields whether or not e.Original holds the record (zero-copy path
// and copy path), and a message that is the end of the record.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed`,
		`<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App"][a b="\]"] msg`,
		`<13>1 - - - - - -`,
		`<13>1 2026-11-23T10:20:30.123456+01:00 h a 1 m [x k="a\"b"] ` + "\xef\xbb\xbfbody\n",
	} {
		f.Add(s)
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		e, err := parsetest.BothPaths(t, p, in)
		if err != nil {
			return
		}
		if m := e.GetString("message"); m != "" && !strings.Contains(in, m) {
			t.Fatalf("message %q is not part of the record", m)
		}
	})
}

// FuzzRoundTrip formats a record from parts, parses it and expects the
// parts back.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(34), "host", "app", "123", "ID1", "id@1", "k", `v"]\`, "msg")
	f.Add(uint8(191), "h", "a", "x-1", "m", "s", "p", "", "")
	p := New()
	f.Fuzz(func(t *testing.T, pri uint8, host, app, procid, msgid, sdid, param, value, msg string) {
		if pri > 191 || !headerToken(host) || !headerToken(app) || !headerToken(procid) || !headerToken(msgid) ||
			!sdToken(sdid) || !sdToken(param) || strings.HasPrefix(msg, "\xef\xbb\xbf") || TrimEnd(msg) != msg {
			return
		}
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(value)
		rec := "<" + strconv.Itoa(int(pri)) + ">1 2026-01-02T03:04:05.678Z " + host + " " + app + " " + procid + " " + msgid +
			" [" + sdid + " " + param + `="` + esc + `"]`
		if msg != "" {
			rec += " " + msg
		}
		e := parsetest.NewEvent(rec)
		if err := p.Parse([]byte(rec), e); err != nil {
			t.Fatalf("Parse(%q): %v", rec, err)
		}
		parsetest.Check(t, e, rec)
		want := map[string]string{
			"log.syslog.priority": strconv.Itoa(int(pri)), "host.hostname": host, "process.name": app,
			"log.syslog.msgid": msgid, SDPrefix + sdid + "." + param: value, "message": msg,
		}
		for k, v := range want {
			if got := e.GetString(k); got != v {
				t.Fatalf("%s = %q, want %q (record %q)", k, got, v, rec)
			}
		}
		if got := e.GetString("process.pid") + e.GetString("log.syslog.procid"); got != procid {
			t.Fatalf("procid %q came back as %q", procid, got)
		}
	})
}

func headerToken(s string) bool {
	if s == "" || s == "-" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

func sdToken(s string) bool {
	return headerToken(s) && !strings.ContainsAny(s, `="]`)
}
