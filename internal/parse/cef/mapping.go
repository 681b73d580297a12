package cef

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/ecsvalue"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
)

type kind uint8

const (
	kString kind = iota
	kInt
	kIP
	kTime
	kTimestamp
	kTransport
	kLower
	kOutcome
	kDirection
	kMessage
)

type target struct {
	field string
	kind  kind
}

// ecsTarget maps the CEF keys with a clear ECS home (see the package
// doc). A switch, not a map: the compiler's length-then-bytes search over
// constant strings costs a few nanoseconds, a map lookup hashes the key.
func ecsTarget(key string) (target, bool) {
	switch key {
	case "msg":
		return target{event.FieldMessage, kMessage}, true
	case "act":
		return target{"event.action", kString}, true
	case "src":
		return target{"source.ip", kIP}, true
	case "dst":
		return target{"destination.ip", kIP}, true
	case "spt":
		return target{"source.port", kInt}, true
	case "dpt":
		return target{"destination.port", kInt}, true
	case "smac":
		return target{"source.mac", kString}, true
	case "dmac":
		return target{"destination.mac", kString}, true
	case "shost":
		return target{"source.domain", kString}, true
	case "dhost":
		return target{"destination.domain", kString}, true
	case "suser":
		return target{"source.user.name", kString}, true
	case "duser":
		return target{"destination.user.name", kString}, true
	case "suid":
		return target{"source.user.id", kString}, true
	case "duid":
		return target{"destination.user.id", kString}, true
	case "sntdom":
		return target{"source.user.domain", kString}, true
	case "dntdom":
		return target{"destination.user.domain", kString}, true
	case "sproc":
		return target{"source.process.name", kString}, true
	case "dproc":
		return target{"destination.process.name", kString}, true
	case "spid":
		return target{"source.process.pid", kInt}, true
	case "dpid":
		return target{"destination.process.pid", kInt}, true
	case "in":
		return target{"source.bytes", kInt}, true
	case "out":
		return target{"destination.bytes", kInt}, true
	case "proto":
		return target{"network.transport", kTransport}, true
	case "app":
		return target{"network.protocol", kLower}, true
	case "deviceDirection":
		return target{"network.direction", kDirection}, true
	case "rt":
		return target{event.FieldTimestamp, kTimestamp}, true
	case "start":
		return target{"event.start", kTime}, true
	case "end":
		return target{"event.end", kTime}, true
	case "outcome":
		return target{"event.outcome", kOutcome}, true
	case "reason":
		return target{"event.reason", kString}, true
	case "request":
		return target{"url.original", kString}, true
	case "requestMethod":
		return target{"http.request.method", kString}, true
	case "requestClientApplication":
		return target{"user_agent.original", kString}, true
	case "fname":
		return target{"file.name", kString}, true
	case "filePath":
		return target{"file.path", kString}, true
	case "fsize":
		return target{"file.size", kInt}, true
	case "dvc":
		return target{"observer.ip", kIP}, true
	case "dvchost":
		return target{"observer.hostname", kString}, true
	case "dvcmac":
		return target{"observer.mac", kString}, true
	case "sourceTranslatedAddress":
		return target{"source.nat.ip", kIP}, true
	case "sourceTranslatedPort":
		return target{"source.nat.port", kInt}, true
	case "destinationTranslatedAddress":
		return target{"destination.nat.ip", kIP}, true
	case "destinationTranslatedPort":
		return target{"destination.nat.port", kInt}, true
	}
	return target{}, false
}

// extensions writes the scanned pairs as fields.
func (p *Parser) extensions(w *fields.Writer) {
	// Mark labels: "xLabel" beside "x" names x's field and is not stored.
	labels := false
	for i := range p.pairs {
		k := p.pairs[i].key
		if base, ok := strings.CutSuffix(k, "Label"); ok && base != "" && p.find(base) >= 0 && p.pairs[i].val != "" {
			p.pairs[i].label = true
			labels = true
		}
	}
	for i := range p.pairs {
		pr := &p.pairs[i]
		if pr.label || pr.val == "" {
			continue
		}
		val := pr.val
		if pr.esc {
			val = unescapeValue(val)
		}
		if t, ok := ecsTarget(pr.key); ok && p.mapped(w, t, val) {
			continue
		}
		name := ""
		j := -1
		if labels {
			j = p.labelOf(pr.key)
		}
		if j >= 0 {
			label := p.pairs[j].val
			if p.pairs[j].esc {
				label = unescapeValue(label)
			}
			name = p.ext.Get(label)
		} else {
			name = p.ext.Get(pr.key)
		}
		w.Put(name, custom(pr.key, val))
	}
}

// find returns the index of the pair with key k, or -1.
func (p *Parser) find(k string) int {
	for i := range p.pairs {
		if p.pairs[i].key == k {
			return i
		}
	}
	return -1
}

// labelOf returns the index of the label pair of key k, or -1.
func (p *Parser) labelOf(k string) int {
	for i := range p.pairs {
		pr := &p.pairs[i]
		if pr.label && len(pr.key) == len(k)+5 && strings.HasPrefix(pr.key, k) {
			return i
		}
	}
	return -1
}

// custom types a value kept under cef.extensions: the numeric custom
// fields (cnN, cnt, flexNumberN) as ints, cfpN as floats, others as text.
func custom(key, val string) event.Value {
	switch {
	case strings.HasPrefix(key, "cn") || key == "cnt" || strings.HasPrefix(key, "flexNumber"):
		if v, ok := ecsvalue.Int(val); ok {
			return v
		}
	case strings.HasPrefix(key, "cfp"):
		if v, ok := ecsvalue.Float(val); ok {
			return v
		}
	}
	return event.String(val)
}

// mapped writes an ECS-mapped value; false when the value does not convert
// (the caller then keeps it as a vendor field).
func (p *Parser) mapped(w *fields.Writer, t target, val string) bool {
	var v event.Value
	ok := true
	switch t.kind {
	case kString, kMessage:
		v = event.String(val)
	case kInt:
		v, ok = ecsvalue.Int(val)
	case kIP:
		v, ok = ecsvalue.IP(val)
	case kTime, kTimestamp:
		var tm = p.now()
		tm, ok = timefmt.Device(val, tm, p.loc)
		if ok && t.kind == kTimestamp {
			w.Event().Timestamp = tm
			return true
		}
		v = event.Time(tm)
	case kTransport:
		var s string
		s, ok = ecsvalue.Transport(val)
		v = event.String(s)
	case kLower:
		v = event.String(ecsvalue.Lower(val))
	case kOutcome:
		var s string
		s, ok = ecsvalue.Outcome(val)
		v = event.String(s)
	case kDirection:
		switch strings.TrimSpace(val) {
		case "0":
			v = event.String("inbound")
		case "1":
			v = event.String("outbound")
		default:
			ok = false
		}
	}
	if ok {
		w.Put(t.field, v)
	}
	return ok
}
