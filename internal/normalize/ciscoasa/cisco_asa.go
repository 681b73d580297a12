package ciscoasa

import (
	"context"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// CiscoASA maps Cisco ASA (and FTD, PIX, FWSM, which share the message
// catalogue) syslog messages to ECS.
//
// A message is recognised by its tag, "%ASA-6-302013:" (level 6, message
// id 302013), which arrives either as process.name (the RFC 3164 parser
// takes it for the TAG) with the text in message, or at the start of
// message (after a device-id "host :" prefix, in RFC 5424 records, or in
// records without a syslog header). Every recognised message gets
// observer.vendor/product/type, event.code (the message id),
// event.severity and log.level (the ASA level), event.module "cisco",
// event.dataset "cisco.asa" and message (the text after the tag);
// process.name, which only held the tag, is removed. The message ids
// listed in docs/normalizers.md are parsed further into source.*,
// destination.*, network.*, user.*, event.action/outcome/category/type and
// cisco.asa.*. Events without the tag are left untouched after a test of
// two fields.
type CiscoASA struct {
	conns *outboundConns
}

// New returns the Cisco ASA normaliser. It remembers the ids of
// connections built outbound (bounded, see outboundConns) to orient their
// teardowns; one normaliser is shared by all pipeline workers.
func New() *CiscoASA { return &CiscoASA{conns: &outboundConns{}} }

// Name implements pipeline.Processor.
func (*CiscoASA) Name() string { return "normalize_cisco_asa" }

// Process implements pipeline.Processor. It never drops an event.
func (a *CiscoASA) Process(_ context.Context, events []*event.Event) []*event.Event {
	for _, e := range events {
		a.Normalize(e)
	}
	return events
}

// asaTag is the parsed "%ASA-6-302013" tag.
type asaTag struct {
	product string // ASA, FTD, PIX, FWSM
	suffix  string // the optional word between product and level
	level   int64
	id      string
}

// asaProducts are the tag prefixes recognised.
var asaProducts = [...]string{"ASA", "FTD", "PIX", "FWSM"}

// parseASATag parses "%ASA-6-302013" or "%FTD-session-6-430002", with or
// without the trailing colon.
func parseASATag(s string) (asaTag, bool) {
	var t asaTag
	if len(s) < 8 || s[0] != '%' {
		return t, false
	}
	c := scan.New(s[1:])
	prod := c.Until("-")
	for _, p := range asaProducts {
		if prod == p {
			t.product = p
		}
	}
	if t.product == "" {
		return t, false
	}
	if r := c.Rest(); r != "" && (r[0] < '0' || r[0] > '9') {
		t.suffix = c.Until("-")
	}
	lvl := c.Digits()
	c.Lit("-")
	t.id = c.Digits()
	c.Maybe(":")
	if !c.OK() || len(lvl) != 1 || lvl[0] > '7' || len(t.id) < 6 || !c.Empty() {
		return t, false
	}
	t.level = int64(lvl[0] - '0')
	return t, true
}

// findASATag finds the tag at the start of a message, after optional
// spaces, a ':' and a short device-id prefix ("fw01 : %ASA-…"), and
// returns it with the text after it.
func findASATag(msg string) (asaTag, string, bool) {
	head := msg
	if len(head) > 96 {
		head = head[:96]
	}
	i := strings.Index(head, "%")
	if i < 0 {
		return asaTag{}, "", false
	}
	rest := msg[i:]
	end := strings.IndexAny(rest, ": ")
	if end < 0 {
		return asaTag{}, "", false
	}
	t, ok := parseASATag(rest[:end])
	if !ok {
		return t, "", false
	}
	return t, strings.TrimLeft(rest[end:], ": "), true
}

var syslogLevels = [...]string{"emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"}

// Normalize maps one event and reports whether it was an ASA message.
func (a *CiscoASA) Normalize(e *event.Event) bool {
	var (
		tag  asaTag
		body string
		ok   bool
	)
	if pn := e.GetString("process.name"); len(pn) > 1 && pn[0] == '%' {
		if tag, ok = parseASATag(pn); ok {
			body = e.Message()
			e.Delete("process.name")
		}
	}
	if !ok {
		msg := e.Message()
		if strings.IndexByte(msg, '%') < 0 {
			return false
		}
		if tag, body, ok = findASATag(msg); !ok {
			return false
		}
	}
	body = strings.TrimRight(body, " \r\n")
	e.Set("observer.vendor", event.String("Cisco"))
	e.Set("observer.product", event.String(tag.product))
	e.Set("observer.type", event.String("firewall"))
	// The syslog host of an ASA message is the firewall itself: it is the
	// observer, and stays host.name as in the other firewall pipelines
	// (alerts do not link incidents on a host that is the event's
	// observer: alert.EntitiesOf).
	if h := e.GetString("host.name"); h != "" {
		e.Set("observer.hostname", event.String(h))
	}
	e.Set("event.module", event.String("cisco"))
	e.Set("event.dataset", event.String(datasetOf(tag.product)))
	e.Set("event.kind", event.String("event"))
	e.Set("event.code", event.String(tag.id))
	e.Set("event.severity", event.Int(tag.level))
	e.Set("log.level", event.String(syslogLevels[tag.level]))
	if tag.suffix != "" {
		e.Set("cisco.asa.suffix", event.String(tag.suffix))
	}
	e.Set(event.FieldMessage, event.String(body))
	asaMessage(e, tag.id, body, a.conns)
	return true
}

func datasetOf(product string) string {
	switch product {
	case "FTD":
		return "cisco.ftd"
	case "PIX":
		return "cisco.pix"
	case "FWSM":
		return "cisco.fwsm"
	}
	return "cisco.asa"
}
