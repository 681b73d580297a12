package rfc3164

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// now is the reference time of the table tests: 2026-11-23 12:00 UTC.
var now = parsetest.Received

func newParser(loc *time.Location, at time.Time) *Parser {
	return New(Options{Location: loc, Now: func() time.Time { return at }})
}

func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			if err := newParser(nil, now).Parse([]byte(in), e); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsetest.Check(t, e, in)
			parsetest.Equal(t, e, want)
		})
	}
	// RFC 3164 §5.4 examples.
	f(`<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8`,
		`{"pri":34,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"mymachine","host.name":"mymachine","process.name":"su","message":"'su root' failed for lonvick on /dev/pts/8"}`)
	f(`<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!`,
		`{"pri":13,"@timestamp":"2026-02-05T17:32:18Z","host.hostname":"10.0.0.99","host.name":"10.0.0.99","process.name":"Use","message":"the BFG!"}`)
	f(`<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK`,
		`{"pri":165,"@timestamp":"2026-08-24T05:34:00Z","host.hostname":"CST","host.name":"CST","process.name":"1987","message":"mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK"}`)
	// logger --rfc3164 and the usual TAG forms.
	f(`<13>Nov 23 12:04:00 vm tag: msg`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"tag","message":"msg"}`)
	f(`<13>Nov 23 12:04:00 vm t[11315]: y`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"t","process.pid":11315,"message":"y"}`)
	f(`<13>Nov 23 12:04:00 vm t[worker]: y`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"t","log.syslog.procid":"worker","message":"y"}`)
	f(`<13>Nov 23 12:04:00 vm t[007]: y`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"t","log.syslog.procid":"007","message":"y"}`)
	f(`<13>Nov 23 12:04:00 vm t[1] y`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"t","process.pid":1,"message":"y"}`)
	f(`<13>Nov 23 12:04:00 vm t:no space`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"t","message":"no space"}`)
	f(`<13>Nov 23 12:04:00 vm t:`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"vm","host.name":"vm","process.name":"t"}`)
	// Missing PRI (files written by syslogd), missing hostname, double-space day.
	f(`Oct  1 22:14:15 host sshd[42]: Accepted password`, `{"@timestamp":"2026-10-01T22:14:15Z","host.hostname":"host","host.name":"host","process.name":"sshd","process.pid":42,"message":"Accepted password"}`)
	f(`Oct 1 22:14:15 host sshd[42]: Accepted password`, `{"@timestamp":"2026-10-01T22:14:15Z","host.hostname":"host","host.name":"host","process.name":"sshd","process.pid":42,"message":"Accepted password"}`)
	f(`<38>Oct 11 22:14:15 sshd[42]: Accepted password`, `{"pri":38,"@timestamp":"2026-10-11T22:14:15Z","process.name":"sshd","process.pid":42,"message":"Accepted password"}`)
	f(`<38>Oct 11 22:14:15 su: failed`, `{"pri":38,"@timestamp":"2026-10-11T22:14:15Z","process.name":"su","message":"failed"}`)
	// RSYSLOG_ForwardFormat: RFC 3339 in the 3164 header.
	f(`<30>2026-11-23T10:20:30.123456+01:00 host tag[9]: msg`, `{"pri":30,"@timestamp":"2026-11-23T09:20:30.123456Z","host.hostname":"host","host.name":"host","process.name":"tag","process.pid":9,"message":"msg"}`)
	f(`2026-11-23T10:20:30Z host tag: msg`, `{"@timestamp":"2026-11-23T10:20:30Z","host.hostname":"host","host.name":"host","process.name":"tag","message":"msg"}`)
	// Year and fraction in the stamp; Cisco sequence numbers.
	f(`<189>Oct 11 2025 22:14:15 router: %SYS-5-CONFIG_I: Configured`, `{"pri":189,"@timestamp":"2025-10-11T22:14:15Z","process.name":"router","message":"%SYS-5-CONFIG_I: Configured"}`)
	f(`<166>Oct 11 2025 22:14:15: %ASA-6-302013: Built inbound`, `{"pri":166,"@timestamp":"2025-10-11T22:14:15Z","process.name":"%ASA-6-302013","message":"Built inbound"}`)
	f(`<13>Oct 11 22:14:15.123 h t: m`, `{"pri":13,"@timestamp":"2026-10-11T22:14:15.123Z","host.hostname":"h","host.name":"h","process.name":"t","message":"m"}`)
	f(`<189>123: *Oct 11 22:14:15.001: %LINK-3-UPDOWN: down`, `{"pri":189,"event.sequence":123,"@timestamp":"2026-10-11T22:14:15.001Z","process.name":"%LINK-3-UPDOWN","message":"down"}`)
	// last message repeated.
	f(`<13>Oct 11 22:14:15 host last message repeated 3 times`, `{"pri":13,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"host","host.name":"host","message":"last message repeated 3 times"}`)
	f(`Oct 11 22:14:15 last message repeated 3 times`, `{"@timestamp":"2026-10-11T22:14:15Z","message":"last message repeated 3 times"}`)
	f(`Oct 11 22:14:15 host --- last message repeated 2 times ---`, `{"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"host","host.name":"host","message":"--- last message repeated 2 times ---"}`)
	// PRI without timestamp: all MSG; a TAG only when ':' ends it.
	f(`<13>sshd[12]: hello`, `{"pri":13,"process.name":"sshd","process.pid":12,"message":"hello"}`)
	f(`<13>hello world`, `{"pri":13,"message":"hello world"}`)
	f(`<13>`, `{"pri":13}`)
	// Header only, one word, spaces and line terminators.
	f(`<13>Oct 11 22:14:15 host`, `{"pri":13,"@timestamp":"2026-10-11T22:14:15Z","message":"host"}`)
	f(`<13>Oct 11 22:14:15`, `{"pri":13,"@timestamp":"2026-10-11T22:14:15Z"}`)
	f("<13>Oct 11 22:14:15\r\n", `{"pri":13,"@timestamp":"2026-10-11T22:14:15Z"}`)
	f("<13>Oct 11 22:14:15 h t: m\r\n", `{"pri":13,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"h","host.name":"h","process.name":"t","message":"m"}`)
	// TAGs with spaces (macOS) and with parentheses (Linux PAM).
	f(`Jul  3 17:10:11 mac BezelServices 255.10[94]: ASSERTION FAILED`, `{"@timestamp":"2026-07-03T17:10:11Z","host.hostname":"mac","host.name":"mac","process.name":"BezelServices 255.10","process.pid":94,"message":"ASSERTION FAILED"}`)
	f(`Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure`, `{"@timestamp":"2026-06-14T15:16:01Z","host.hostname":"combo","host.name":"combo","process.name":"sshd(pam_unix)","process.pid":19939,"message":"authentication failure"}`)
	f(`Jun 19 04:09:11 combo syslogd 1.4.1: restart.`, `{"@timestamp":"2026-06-19T04:09:11Z","host.hostname":"combo","host.name":"combo","process.name":"syslogd","message":"1.4.1: restart."}`)
	// key=value text right after the header has no TAG.
	f(`<13>Nov 23 12:04:00 fw date=2026-11-23 action=accept`, `{"pri":13,"@timestamp":"2026-11-23T12:04:00Z","host.hostname":"fw","host.name":"fw","message":"date=2026-11-23 action=accept"}`)
	// A CEF body is not mistaken for a hostname.
	f(`<134>Oct 11 22:14:15 CEF:0|V|P|1|100|n|5|a=b`, `{"pri":134,"@timestamp":"2026-10-11T22:14:15Z","process.name":"CEF","message":"0|V|P|1|100|n|5|a=b"}`)
}

func TestYear(t *testing.T) {
	f := func(now time.Time, stamp, want string) {
		t.Helper()
		t.Run(now.Format(time.DateOnly)+" "+stamp, func(t *testing.T) {
			in := stamp + " h t: m"
			e := parsetest.NewEvent(in)
			if err := newParser(nil, now).Parse([]byte(in), e); err != nil {
				t.Fatal(err)
			}
			if got := e.Timestamp.Format(time.RFC3339); got != want {
				t.Errorf("@timestamp %s, want %s", got, want)
			}
		})
	}
	d := func(y int, m time.Month, day, h, min int) time.Time {
		return time.Date(y, m, day, h, min, 0, 0, time.UTC)
	}
	f(d(2026, 11, 23, 12, 0), "Nov 23 11:00:00", "2026-11-23T11:00:00Z")
	f(d(2026, 11, 23, 12, 0), "Nov 24 11:00:00", "2026-11-24T11:00:00Z")      // < 1 day ahead: clock skew
	f(d(2026, 11, 23, 12, 0), "Nov 24 13:00:00", "2025-11-24T13:00:00Z")      // > 1 day ahead: last year
	f(d(2026, 1, 1, 0, 0), "Dec 31 23:59:59", "2025-12-31T23:59:59Z")         // just before New Year
	f(d(2026, 12, 31, 23, 59), "Jan  1 00:00:05", "2027-01-01T00:00:05Z")     // sender already in the new year
	f(d(2026, 12, 20, 0, 0), "Jan  2 00:00:00", "2027-01-02T00:00:00Z")       // > 11 months back: next year
	f(d(2026, 11, 23, 12, 0), "Jan  2 00:00:00", "2026-01-02T00:00:00Z")      // 10.7 months back: this year
	f(d(2027, 3, 1, 0, 0), "Feb 29 10:00:00", "2024-02-29T10:00:00Z")         // latest leap year
	f(d(2028, 3, 1, 0, 0), "Feb 29 10:00:00", "2028-02-29T10:00:00Z")         // leap year now
	f(d(2028, 2, 1, 0, 0), "Feb 29 10:00:00", "2024-02-29T10:00:00Z")         // leap day still ahead
	f(d(2026, 11, 23, 12, 0), "Oct 11 2019 22:14:15", "2019-10-11T22:14:15Z") // explicit year
}

func TestLocation(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	in := `<13>Jul 14 10:00:00 h t: summer`
	e := parsetest.NewEvent(in)
	if err := newParser(berlin, now).Parse([]byte(in), e); err != nil {
		t.Fatal(err)
	}
	if got := e.Timestamp.Format(time.RFC3339); got != "2026-07-14T08:00:00Z" {
		t.Errorf("@timestamp %s, want 08:00Z (CEST)", got)
	}
	in = `<13>2026-07-14T10:00:00Z h t: own zone wins`
	e = parsetest.NewEvent(in)
	if err := newParser(berlin, now).Parse([]byte(in), e); err != nil {
		t.Fatal(err)
	}
	if got := e.Timestamp.Format(time.RFC3339); got != "2026-07-14T10:00:00Z" {
		t.Errorf("@timestamp %s, want the record's own zone", got)
	}
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			err := newParser(nil, now).Parse([]byte(in), e)
			if err == nil {
				t.Fatalf("no error; fields %s", parsetest.Render(e))
			}
			if !errors.Is(err, formaterr.ErrFormat) || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	f(``, `rfc3164: timestamp at 0: want a PRI or a timestamp (Mmm dd hh:mm:ss or RFC 3339)`)
	f(`hello world`, `rfc3164: timestamp at 0: want a PRI or a timestamp (Mmm dd hh:mm:ss or RFC 3339)`)
	f(`<1000>Oct 11 22:14:15 h t: m`, `rfc3164: priority at 0: more than 3 digits`)
	f(`<x>Oct 11 22:14:15 h t: m`, `rfc3164: priority at 0: want a digit after '<'`)
	f(`Oct 11 22:14:15x h t: m`, `rfc3164: timestamp at 15: want a space after the timestamp`)
	f(`Oct 32 22:14:15 h t: m`, `rfc3164: timestamp at 0: want a PRI or a timestamp (Mmm dd hh:mm:ss or RFC 3339)`)
}
