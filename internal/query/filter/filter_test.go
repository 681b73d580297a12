package filter

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// testEvent has one field of every kind.
func testEvent() *event.Event {
	e := &event.Event{
		Timestamp: time.Date(2026, 11, 23, 10, 30, 0, 123456789, time.UTC),
		ID:        "0123456789abcdef0123456789abcdef",
		Tenant:    "acme",
		Source:    "syslog-tcp",
		Original:  "<34>Nov 23 10:30:00 web01 sshd[42]: Failed password for root from 10.1.2.3",
	}
	e.Set("message", event.String("Failed password for root from 10.1.2.3 port 22 ssh2"))
	e.Set("user.name", event.String("Administrator"))
	e.Set("host.name", event.String("web01.example.com"))
	e.Set("source.ip", event.IP(netip.MustParseAddr("10.1.2.3")))
	e.Set("destination.ip", event.IP(netip.MustParseAddr("2001:db8::7")))
	e.Set("destination.port", event.Int(22))
	e.Set("event.duration", event.Float(1.5))
	e.Set("event.outcome", event.String("failure"))
	e.Set("ssh.ok", event.Bool(false))
	e.Set("event.created", event.Time(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)))
	e.Set("tags", event.List([]string{"Auth", "linux"}))
	e.Set("file.path", event.String(`C:\Users\bob\AppData\evil.exe`))
	e.Set("http.status", event.String("404"))
	e.Set("empty", event.String(""))
	e.Set("city", event.String("Köln"))
	return e
}

func TestFilter(t *testing.T) {
	e := testEvent()
	f := func(q string, want bool) {
		t.Helper()
		p, err := Parse(q)
		if err != nil {
			t.Errorf("Parse(%q): %v", q, err)
			return
		}
		if got := p(e); got != want {
			t.Errorf("%q = %v, want %v", q, got, want)
		}
	}
	// Everything.
	f(``, true)
	f(`*`, true)
	// Full text: by token, case-insensitive, over message and original.
	f(`failed`, true)
	f(`FAILED`, true)
	f(`fail`, false)
	f(`fail*`, true)
	f(`"failed password"`, true)
	f(`"password failed"`, false)
	f(`sshd`, true) // only in event.original
	f(`ssh`, false)
	f(`ssh*`, true)
	f(`10.1.2.3`, true)
	f(`10.1.2`, true) // "10.1.2" starts and ends at token boundaries
	f(`1.2.3`, true)
	f(`0.1.2`, false)
	f(`p?rt`, true)
	f(`*`, true)
	f(`message:root`, true)
	f(`message:roo`, false)
	f(`event.original:web01`, true)
	f(`event.original:"web01 sshd"`, true)
	// Whole values of string fields, case-insensitive.
	f(`user.name:administrator`, true)
	f(`user.name:admin`, false)
	f(`user.name:admin*`, true)
	f(`user.name:*STRAT*`, true)
	f(`user.name:?dministrator`, true)
	f(`user.name:??dministrator`, false)
	f(`host.name:web01.example.com`, true)
	f(`host.name:web01`, false)
	f(`file.path:C:\Users\*\AppData\*.exe`, true)
	f(`file.path:C:\Users\*\Temp\*`, false)
	f(`city:KÖLN`, true)
	// IP values are strings; a non-canonical form matches the canonical one.
	f(`source.ip:10.1.2.3`, true)
	f(`source.ip:"::ffff:10.1.2.3"`, true)
	f(`destination.ip:2001:DB8::7`, true)
	f(`destination.ip:2001:db8:0:0:0:0:0:7`, true)
	// CIDR.
	f(`source.ip:10.0.0.0/8`, true)
	f(`source.ip:10.2.0.0/16`, false)
	f(`destination.ip:2001:db8::/32`, true)
	f(`host.name:10.0.0.0/8`, false)
	// Numbers, bools, times by value.
	f(`destination.port:22`, true)
	f(`destination.port:22.0`, true)
	f(`destination.port:23`, false)
	f(`destination.port:abc`, false)
	f(`destination.port:2*`, true)
	f(`event.duration:1.5`, true)
	f(`ssh.ok:false`, true)
	f(`ssh.ok:0`, true)
	f(`ssh.ok:true`, false)
	f(`event.created:"2026-11-23T10:00:00Z"`, true)
	f(`@timestamp:"2026-11-23T10:30:00.123456Z"`, true)
	f(`@timestamp:"2026-11-23T10:30:00.123Z"`, false)
	// Lists match when any item does.
	f(`tags:auth`, true)
	f(`tags:lin*`, true)
	f(`tags:windows`, false)
	// Envelope fields.
	f(`vigil.tenant:acme`, true)
	f(`vigil.source:syslog-*`, true)
	f(`event.id:0123456789abcdef0123456789abcdef`, true)
	// Exists.
	f(`user.name:*`, true)
	f(`empty:*`, false)
	f(`nothere:*`, false)
	f(`tags:*`, true)
	f(`destination.port:*`, true)
	// Ranges and comparisons.
	f(`destination.port:[1 TO 1024]`, true)
	f(`destination.port:[23 TO 1024]`, false)
	f(`destination.port:{22 TO 1024]`, false)
	f(`destination.port:[* TO 22]`, true)
	f(`destination.port:[* TO 22}`, false)
	f(`destination.port>=22`, true)
	f(`destination.port>22`, false)
	f(`destination.port<100`, true)
	f(`destination.port>abc`, false)
	f(`http.status>=400`, true) // a string of digits compares as a number
	f(`http.status:[400 TO 499]`, true)
	f(`http.status<50`, false)
	f(`source.ip:[10.0.0.0 TO 10.255.255.255]`, true)
	f(`source.ip>10.1.2.3`, false)
	f(`destination.ip:[2001:db8:: TO 2001:db8::ffff]`, true)
	f(`source.ip:[2001:db8:: TO 2001:db8::ffff]`, false)
	f(`user.name:[A TO B]`, true) // text, byte order
	f(`user.name:[a TO b]`, false)
	f(`@timestamp>="2026-11-23T10:00:00Z"`, true)
	f(`@timestamp<"2026-11-23T10:00:00Z"`, false)
	f(`event.duration:[1 TO 2]`, true)
	f(`user.name!=root`, true)
	f(`user.name!=Administrator`, false)
	f(`nothere!=x`, false)
	// Missing fields: false, and NOT of them true.
	f(`nothere:x`, false)
	f(`NOT nothere:x`, true)
	f(`NOT user.name:root`, true)
	f(`-user.name:administrator`, false)
	// Boolean structure.
	f(`failed AND root`, true)
	f(`failed AND nobody`, false)
	f(`failed OR nobody`, true)
	f(`(nobody OR root) AND destination.port:22`, true)
	f(`user.name:(root OR admin*)`, true)
	f(`NOT (failed OR nobody)`, false)
}

func TestParseErrors(t *testing.T) {
	for _, q := range []string{`a | head 1`, `(a`, `f:[1 TO`} {
		if _, err := Parse(q); err == nil {
			t.Errorf("Parse(%q) succeeded", q)
		}
	}
}

// A Kelvin sign folds to k, as it does in the stores' case-insensitive
// regular expressions; the ASCII fast path must not miss it.
func TestFullTextNonASCIIFold(t *testing.T) {
	e := &event.Event{}
	e.Set("message", event.String("the \u212aey was found"))
	p, err := Parse(`key`)
	if err != nil {
		t.Fatal(err)
	}
	if !p(e) {
		t.Error("key did not match \u212aey")
	}
}
