package rfc5424

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			if err := New().Parse([]byte(in), e); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsetest.Check(t, e, in)
			parsetest.Equal(t, e, want)
		})
	}
	// RFC 5424 §6.5 examples.
	f(`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed for lonvick on /dev/pts/8`,
		`{"pri":34,"log.syslog.version":1,"@timestamp":"2003-10-11T22:14:15.003Z","host.hostname":"mymachine.example.com","host.name":"mymachine.example.com","process.name":"su","log.syslog.msgid":"ID47","message":"BOM'su root' failed for lonvick on /dev/pts/8"}`)
	f("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed",
		`{"pri":34,"log.syslog.version":1,"@timestamp":"2003-10-11T22:14:15.003Z","host.hostname":"mymachine.example.com","host.name":"mymachine.example.com","process.name":"su","log.syslog.msgid":"ID47","message":"'su root' failed"}`)
	f(`<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.`,
		`{"pri":165,"log.syslog.version":1,"@timestamp":"2003-08-24T12:14:15.000003Z","host.hostname":"192.0.2.1","host.name":"192.0.2.1","process.name":"myproc","process.pid":8710,"message":"%% It's time to make the do-nuts."}`)
	f(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...`,
		`{"pri":165,"log.syslog.version":1,"@timestamp":"2003-10-11T22:14:15.003Z","host.hostname":"mymachine.example.com","host.name":"mymachine.example.com","process.name":"evntslog","log.syslog.msgid":"ID47","log.syslog.structured_data.exampleSDID@32473.iut":"3","log.syslog.structured_data.exampleSDID@32473.eventSource":"Application","log.syslog.structured_data.exampleSDID@32473.eventID":"1011","message":"An application event log entry..."}`)
	f(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"][examplePriority@32473 class="high"]`,
		`{"pri":165,"log.syslog.version":1,"@timestamp":"2003-10-11T22:14:15.003Z","host.hostname":"mymachine.example.com","host.name":"mymachine.example.com","process.name":"evntslog","log.syslog.msgid":"ID47","log.syslog.structured_data.exampleSDID@32473.iut":"3","log.syslog.structured_data.examplePriority@32473.class":"high"}`)
	// All NILVALUEs, no MSG.
	f(`<13>1 - - - - - -`, `{"pri":13,"log.syslog.version":1}`)
	f(`<0>1 - - - - - - `, `{"pri":0,"log.syslog.version":1}`)
	f(`<191>999 - h - - - - x`, `{"pri":191,"log.syslog.version":999,"host.hostname":"h","host.name":"h","message":"x"}`)
	// SD-PARAM escapes; a backslash before another byte is kept.
	f(`<13>1 - h a - - [x@1 k="a\"b\\c\]d" j="\n"] m`,
		`{"pri":13,"log.syslog.version":1,"host.hostname":"h","host.name":"h","process.name":"a","log.syslog.structured_data.x@1.k":"a\"b\\c]d","log.syslog.structured_data.x@1.j":"\\n","message":"m"}`)
	// Unescaped ']' inside a quoted value, and an empty value.
	f(`<13>1 - h a - - [x@1 k="a]b" e=""] m`,
		`{"pri":13,"log.syslog.version":1,"host.hostname":"h","host.name":"h","process.name":"a","log.syslog.structured_data.x@1.k":"a]b","log.syslog.structured_data.x@1.e":"","message":"m"}`)
	// A repeated parameter becomes a list; an SD-ID without parameters adds nothing.
	f(`<13>1 - h a - - [x@1 ip="1.1.1.1" ip="2.2.2.2" ip="3.3.3.3"][y@1] m`,
		`{"pri":13,"log.syslog.version":1,"host.hostname":"h","host.name":"h","process.name":"a","log.syslog.structured_data.x@1.ip":["1.1.1.1","2.2.2.2","3.3.3.3"],"message":"m"}`)
	// Timestamps: 1..9 fraction digits, offsets, lower case.
	f(`<13>1 2026-11-23T10:20:30+01:00 h - - - -`, `{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T09:20:30Z","host.hostname":"h","host.name":"h"}`)
	f(`<13>1 2026-11-23T10:20:30.1-05:30 h - - - -`, `{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T15:50:30.1Z","host.hostname":"h","host.name":"h"}`)
	f(`<13>1 2026-11-23t10:20:30.123456789z h - - - -`, `{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T10:20:30.123456789Z","host.hostname":"h","host.name":"h"}`)
	f(`<13>1 2024-02-29T23:59:60Z h - - - -`, `{"pri":13,"log.syslog.version":1,"@timestamp":"2024-03-01T00:00:00Z","host.hostname":"h","host.name":"h"}`)
	// Non-numeric PROCID, trailing line terminators, message with spaces at its end.
	f("<13>1 - h a worker-1 - - m  \r\n", `{"pri":13,"log.syslog.version":1,"host.hostname":"h","host.name":"h","process.name":"a","log.syslog.procid":"worker-1","message":"m  "}`)
	f("<13>1 - h a - - -\n", `{"pri":13,"log.syslog.version":1,"host.hostname":"h","host.name":"h","process.name":"a"}`)
	// Header fields beyond the RFC maxima are accepted.
	f(`<13>1 - h `+strings.Repeat("a", 60)+` - - - m`, `{"pri":13,"log.syslog.version":1,"host.hostname":"h","host.name":"h","process.name":"`+strings.Repeat("a", 60)+`","message":"m"}`)
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			err := New().Parse([]byte(in), e)
			if err == nil {
				t.Fatalf("no error; fields %s", parsetest.Render(e))
			}
			if !errors.Is(err, formaterr.ErrFormat) {
				t.Errorf("error %v does not wrap ErrFormat", err)
			}
			if err.Error() != want {
				t.Errorf("error\n got: %s\nwant: %s", err, want)
			}
		})
	}
	f(``, `rfc5424: priority at 0: want '<'`)
	f(`13>1 - - - - - -`, `rfc5424: priority at 0: want '<'`)
	f(`<192>1 - - - - - -`, `rfc5424: priority at 0: priority above 191`)
	f(`<013>1 - - - - - -`, `rfc5424: priority at 0: leading zero`)
	f(`<13> - - - - - -`, `rfc5424: version at 4: want a version 1-999`)
	f(`<13>0 - - - - - -`, `rfc5424: version at 4: want a version 1-999`)
	f(`<13>1234 - - - - - -`, `rfc5424: version at 7: want a space after the version`)
	f(`<13>1 Oct 11 22:14:15 h - - - -`, `rfc5424: timestamp at 6: want a 4-digit year`)
	f(`<13>1 2026-13-01T00:00:00Z h - - - -`, `rfc5424: timestamp at 11: want a month 01-12`)
	f(`<13>1 2026-02-30T00:00:00Z h - - - -`, `rfc5424: timestamp at 14: want a day of the month`)
	f(`<13>1 2026-02-03T00:00:00 h - - - -`, `rfc5424: timestamp at 25: want 'Z' or an offset`)
	f(`<13>1 2026-02-03T00:00:00.Z h - - - -`, `rfc5424: timestamp at 26: want 1 to 9 fraction digits`)
	f(`<13>1 2026-02-03T00:00:00.1234567890Z h - - - -`, `rfc5424: timestamp at 35: want 1 to 9 fraction digits`)
	f(`<13>1 2026-02-03T00:00:00+0100 h - - - -`, `rfc5424: timestamp at 25: want an offset +hh:mm`)
	f(`<13>1 -  h - - - -`, `rfc5424: hostname at 8: empty (NILVALUE is "-")`)
	f("<13>1 - h\xc3\xa9 - - - -", `rfc5424: hostname at 9: want printable US-ASCII`)
	f(`<13>1 - h a p`, `rfc5424: procid at 13: record ends inside the header`)
	f(`<13>1 - h a p m`, `rfc5424: msgid at 15: record ends inside the header`)
	f(`<13>1 - h a p m `, `rfc5424: structured data at 16: missing`)
	f(`<13>1 - h a p m x`, `rfc5424: structured data at 16: want '[' or '-'`)
	f(`<13>1 - h a p m [x@1 k="v"`, `rfc5424: structured data at 26: want ']' or a space and a PARAM-NAME`)
	f(`<13>1 - h a p m [x@1 k=v]`, `rfc5424: structured data at 22: want =" after the PARAM-NAME`)
	f(`<13>1 - h a p m [x@1 k="v]`, `rfc5424: structured data at 24: PARAM-VALUE has no closing quote`)
	f(`<13>1 - h a p m [ k="v"]`, `rfc5424: structured data at 17: want an SD-ID`)
	f(`<13>1 - h a p m [x@1 ="v"]`, `rfc5424: structured data at 21: want a PARAM-NAME`)
	f(`<13>1 - h a p m -x`, `rfc5424: structured data at 17: want a space or the end after structured data`)
}
