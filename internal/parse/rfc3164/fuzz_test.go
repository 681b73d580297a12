package rfc3164

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: never panics; a record that parses gives valid fields, the
// same on the zero-copy and the copy path, a message that is part of the
// record, and a timestamp within a year of the reference time (or the
// record's own year).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8`,
		`<30>2026-11-23T10:20:30.123456+01:00 host tag[9]: msg`,
		`Jul  3 17:10:11 mac BezelServices 255.10[94]: ASSERTION FAILED`,
		`<189>123: *Oct 11 22:14:15.001: %LINK-3-UPDOWN: down`,
		`<13>Oct 11 2025 22:14:15: x`,
		`<13>sshd[12]: hello`,
		`Feb 29 00:00:00 h t[1] m`,
	} {
		f.Add(s)
	}
	p := newParser(nil, now)
	f.Fuzz(func(t *testing.T, in string) {
		e, err := parsetest.BothPaths(t, p, in)
		if err != nil {
			return
		}
		if m := e.GetString("message"); !strings.Contains(in, m) || strings.HasSuffix(m, "\n") {
			t.Fatalf("message %q is not part of the record or keeps its terminator", m)
		}
		if !e.Timestamp.Equal(parsetest.Received) && !hasYear(in) &&
			(e.Timestamp.Before(now.AddDate(-5, 0, 0)) || e.Timestamp.After(now.Add(32*24*time.Hour))) {
			t.Fatalf("inferred @timestamp %v is far from %v", e.Timestamp, now)
		}
	})
}

// FuzzRoundTrip formats a record from parts and expects them back. Tags
// holding '=' are left out: such a first word is key=value text, not a TAG
// (see the package doc).
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(13), int64(1764000000), "host", "sshd", uint32(42), "Accepted password for root")
	p := newParser(nil, now)
	f.Fuzz(func(t *testing.T, pri uint8, unix int64, host, tag string, pid uint32, msg string) {
		if pri > 191 || !word(host) || !word(tag) || strings.ContainsAny(tag, ":[=") || msg != strings.TrimSpace(msg) || strings.ContainsAny(msg, "\r\n\x00") ||
			strings.HasPrefix(host, "last") || strings.ContainsAny(host, `[]|="(),;:`) {
			return
		}
		ts := now.Add(-time.Duration(unix%(300*86400)) * time.Second).Truncate(time.Second)
		if unix < 0 {
			return
		}
		rec := "<" + strconv.Itoa(int(pri)) + ">" + ts.Format(time.Stamp) + " " + host + " " + tag + "[" + strconv.Itoa(int(pid)) + "]: " + msg
		e := parsetest.NewEvent(rec)
		if err := p.Parse([]byte(rec), e); err != nil {
			t.Fatalf("Parse(%q): %v", rec, err)
		}
		want := map[string]string{"host.name": host, "process.name": tag, "process.pid": strconv.Itoa(int(pid)), "message": msg}
		for k, v := range want {
			if got := e.GetString(k); got != v {
				t.Fatalf("%s = %q, want %q (record %q)", k, got, v, rec)
			}
		}
		if !e.Timestamp.Equal(ts) {
			t.Fatalf("@timestamp %v, want %v (record %q)", e.Timestamp, ts, rec)
		}
	})
}

func word(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 32 || s[i] >= 127 {
			return false
		}
	}
	return true
}

// hasYear reports whether s has four digits in a row: a record that may
// carry its own year, which needs no inference.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
