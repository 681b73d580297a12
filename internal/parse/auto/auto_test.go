package auto

import (
	"testing"
	"time"

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
	// Bare payloads.
	f(`CEF:0|V|P|1|100|n|5|src=10.0.0.1`, `{"cef.version":0,"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"100","event.severity":5,"message":"n","source.ip":"10.0.0.1"}`)
	f("LEEF:1.0|V|P|1|E|src=10.0.0.1\tsev=3", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","source.ip":"10.0.0.1","event.severity":3}`)
	f(`{"msg":"hi","n":1}`, `{"message":"hi","n":1}`)
	f(` {"a":1}`, `{"a":1}`)
	f(`a=1 b=2 c="x y"`, `{"a":1,"b":2,"c":"x y"}`)
	// Syslog with each kind of body.
	f(`<13>Nov 23 10:00:00 h sshd[1]: Accepted password for bob`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"sshd","process.pid":1,"message":"Accepted password for bob"}`)
	f(`<13>1 2026-11-23T10:00:00Z h app - - - {"user":"bob","host.name":"inner","message":"m"}`,
		`{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"inner","process.name":"app","user":"bob","message":"m"}`)
	f(`<134>Oct 11 22:14:15 fw01 CEF:0|V|P|1|100|n|5|dst=10.0.0.2`, `{"pri":134,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"fw01","host.name":"fw01","cef.version":0,"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"100","event.severity":5,"message":"n","destination.ip":"10.0.0.2"}`)
	f(`<134>Oct 11 22:14:15 fw01 agent: LEEF:2.0|V|P|1|E|^|a=1^b=2`, `{"pri":134,"@timestamp":"2026-10-11T22:14:15Z","host.hostname":"fw01","host.name":"fw01","process.name":"agent","observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"1","leef.b":"2"}`)
	f(`<30>Nov 23 10:00:00 fw date=2026-11-23 srcip=10.0.0.1 action="accept"`, `{"pri":30,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"fw","host.name":"fw","date":"2026-11-23","srcip":"10.0.0.1","action":"accept"}`)
	f(`<189>date=2026-11-23 time=10:00:00 devname="FG" srcip=10.0.0.1`, `{"pri":189,"date":"2026-11-23","time":"10:00:00","devname":"FG","srcip":"10.0.0.1"}`)
	f(`<30>Nov 23 10:00:00 fw kernel: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP`, `{"pri":30,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"fw","host.name":"fw","process.name":"kernel","IN":"eth0","OUT":"","SRC":"10.0.0.1","DST":"10.0.0.2","PROTO":"TCP"}`)
	f(`Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4`,
		`{"@timestamp":"2026-06-14T15:16:01Z","host.hostname":"combo","host.name":"combo","process.name":"sshd(pam_unix)","process.pid":19939,"message":"authentication failure;","logname":"","uid":0,"euid":0,"tty":"NODEVssh","ruser":"","rhost":"218.188.2.4"}`)
	// JSON behind a header without a TAG (the object follows the host
	// name), and behind rsyslog's CEE cookie ("@cee:", mmjsonparse).
	f(`<13>Nov 23 10:00:00 h {"user":"bob","n":1}`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","user":"bob","n":1}`)
	f(`<13>Nov 23 10:00:00 {"user":"bob"}`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","user":"bob"}`)
	f(`Nov 23 10:00:00 h {"user":"bob"}`, `{"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","user":"bob"}`)
	f(`<13>Nov 23 10:00:00 h app[7]: @cee: {"user":"bob"}`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"app","process.pid":7,"user":"bob"}`)
	f(`<13>1 2026-11-23T10:00:00Z h app - - - @cee:{"user":"bob"}`, `{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"app","user":"bob"}`)
	f(`@cee: {"user":"bob"}`, `{"user":"bob"}`)
	f(`<13>Nov 23 10:00:00 h app: @cee: not json`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"app","message":"@cee: not json"}`)
	// Text with a few '=' stays a message.
	f(`<13>Nov 23 10:00:00 h app: the value x=1 was rejected by the check`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"app","message":"the value x=1 was rejected by the check"}`)
	f(`if a=b then c=d else the record is mostly prose and not key value text`, `{"message":"if a=b then c=d else the record is mostly prose and not key value text"}`)
	// Broken payloads fall back to the message, keeping the header.
	f(`<13>1 2026-11-23T10:00:00Z h app - - - {"broken":`, `{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"app","message":"{\"broken\":"}`)
	f(`CEF:0|truncated`, `{"message":"CEF:0|truncated"}`)
	f(`{"a":1} trailing`, `{"message":"{\"a\":1} trailing"}`)
	f(`<13>1 2026-13-45T10:00:00Z h app - - - msg`, `{"message":"<13>1 2026-13-45T10:00:00Z h app - - - msg"}`)
	f(`<13>Nov 23 10:00:00 h CEF:0|V|P|1|100|n|5|=bad`, `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","message":"CEF:0|V|P|1|100|n|5|=bad"}`)
	// Anything else is a message; empty records are empty events.
	f(`2026-11-23 10:00:00,123 INFO [main] Server started`, `{"message":"2026-11-23 10:00:00,123 INFO [main] Server started"}`)
	f("plain text\n", `{"message":"plain text"}`)
	f(``, `{}`)
	f("<13>", `{"pri":13}`)
}
