package leef

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
	const hdr = `"observer.vendor":"Microsoft","observer.product":"MSExchange","observer.version":"4.0 SP1","event.code":"15345"`
	// LEEF 1.0: tab-separated.
	f("LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly\tsrcPort=81\tdstPort=21\tusrName=joe.black",
		`{`+hdr+`,"source.ip":"192.0.2.0","destination.ip":"172.50.123.1","event.severity":5,"leef.cat":"anomaly","source.port":81,"destination.port":21,"user.name":"joe.black"}`)
	f("LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|", `{`+hdr+`}`)
	f("LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345", `{`+hdr+`}`)
	// LEEF 2.0 with '^', hex and empty delimiters.
	f("LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21",
		`{"observer.vendor":"Lancope","observer.product":"StealthWatch","observer.version":"1.0","event.code":"41","source.ip":"10.0.1.8","destination.ip":"10.0.0.5","event.severity":5,"source.port":81,"destination.port":21}`)
	f("LEEF:2.0|V|P|1|E|x09|a=1\tb=two words", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"1","leef.b":"two words"}`)
	f("LEEF:2.0|V|P|1|E|0x7C|a=1|b=2", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"1","leef.b":"2"}`)
	f("LEEF:2.0|V|P|1|E||a=1\tb=2", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"1","leef.b":"2"}`)
	// LEEF 2.0 without the optional delimiter field (Trend Micro Deep
	// Security): the attributes follow EventID, tab-separated; a '|' in a
	// value stays in it.
	f("LEEF:2.0|Trend Micro|Deep Security Agent|20.0.0.8438|1000552|cat=Intrusion Prevention\tsrc=198.51.100.23\tdstPort=80\tact=Reset",
		`{"observer.vendor":"Trend Micro","observer.product":"Deep Security Agent","observer.version":"20.0.0.8438","event.code":"1000552","leef.cat":"Intrusion Prevention","source.ip":"198.51.100.23","destination.port":80,"leef.act":"Reset"}`)
	f("LEEF:2.0|V|P|1|E|a=x|y\tb=2", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"x|y","leef.b":"2"}`)
	f("LEEF:2|V|P|1|E|a=1 b=2", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"1 b=2"}`)
	f("LEEF:2.0|V|P|1|E|^", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E"}`)
	// Values with '=' and escapes, empty values, items without '='.
	f("LEEF:1.0|V|P|1|E|url=http://x/?a=b\tmsg=a\\=b\tempty=\tjunk", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","url.original":"http://x/?a=b","leef.msg":"a=b","leef.unparsed":"junk"}`)
	// devTime with and without devTimeFormat.
	f("LEEF:1.0|V|P|1|E|devTime=Nov 23 2026 10:20:30\tdevTimeFormat=MMM dd yyyy HH:mm:ss", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","@timestamp":"2026-11-23T10:20:30Z","leef.devTimeFormat":"MMM dd yyyy HH:mm:ss"}`)
	f("LEEF:1.0|V|P|1|E|devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ\tdevTime=2026-11-23T10:20:30.250+0100", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","@timestamp":"2026-11-23T09:20:30.25Z","leef.devTimeFormat":"yyyy-MM-dd'T'HH:mm:ss.SSSZ"}`)
	f("LEEF:1.0|V|P|1|E|devTime=1764000000123", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","@timestamp":"2025-11-24T16:00:00.123Z"}`)
	f("LEEF:1.0|V|P|1|E|devTime=Nov 23 10:20:30\tdevTimeFormat=MMM dd HH:mm:ss", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","@timestamp":"2026-11-23T10:20:30Z","leef.devTimeFormat":"MMM dd HH:mm:ss"}`)
	f("LEEF:1.0|V|P|1|E|devTime=soon", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.devTime":"soon"}`)
	// Conversions: proto numbers, bad ports, identSrc, NAT.
	f("LEEF:1.0|V|P|1|E|proto=6\tsrcPort=x\tidentSrc=10.1.1.1\tsrcPostNAT=1.2.3.4\tdstPostNATPort=8080\tidentHostName=ws1",
		`{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","network.transport":"tcp","leef.srcPort":"x","source.ip":"10.1.1.1","source.nat.ip":"1.2.3.4","destination.nat.port":8080,"host.name":"ws1"}`)
	// LEEF 1.0 with spaces instead of tabs.
	f("LEEF:1.0|V|P|1|E|src=10.0.0.1 usrName=John Smith cat=Log In", `{"observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","source.ip":"10.0.0.1","user.name":"John Smith","leef.cat":"Log In"}`)
	// Header escapes and syslog headers.
	f("LEEF:1.0|V\\|x|P|1|E|", `{"observer.vendor":"V|x","observer.product":"P","observer.version":"1","event.code":"E"}`)
	f("<13>Nov 23 10:00:00 qradar LEEF:1.0|V|P|1|E|src=10.0.0.1", `{"pri":13,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"qradar","host.name":"qradar","observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","source.ip":"10.0.0.1"}`)
	f("<13>1 2026-11-23T10:00:00Z h app - - - LEEF:2.0|V|P|1|E|;|a=1;b=2", `{"pri":13,"log.syslog.version":1,"@timestamp":"2026-11-23T10:00:00Z","host.hostname":"h","host.name":"h","process.name":"app","observer.vendor":"V","observer.product":"P","observer.version":"1","event.code":"E","leef.a":"1","leef.b":"2"}`)
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
	f("LEEF:1.0|V|P", `leef: header at 12: want 5 '|'-separated fields after LEEF:, found 3`)
	f("LEEF:3.0|V|P|1|E|", `leef: version at 5: want 1.0 or 2.0`)
	f("LEEF:2.0|V|P|1|E|xZZ|a=1", `leef: delimiter at 17: want one character or a hex code such as x09`)
	f("<13>Nov 23 10:00:00 host other", `leef: header at 25: want "LEEF:"`)
}
