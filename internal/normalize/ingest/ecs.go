package ingest

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// ecsType is the ECS data type of a field, as far as the store and the
// search language care: how a value written to it is typed.
type ecsType uint8

const (
	typeAny     ecsType = iota // not an ECS field: values keep the kind they have
	typeKeyword                // ECS keyword or text: stored as a string
	typeIP
	typeLong
	typeFloat
	typeBool
	typeList // keyword arrays (event.category, related.ip …)
	typeDate
)

// ecsTypes lists the ECS fields pipelines commonly write whose type is not
// keyword. Any other name under an ECS field set listed in ecsKeywordSets
// is a keyword; anything else is free (vendor fields keep inferred kinds).
var ecsTypes = map[string]ecsType{
	"@timestamp": typeDate, "event.created": typeDate, "event.start": typeDate, "event.end": typeDate,
	"event.severity": typeLong, "event.duration": typeLong, "event.sequence": typeLong, "event.risk_score": typeFloat,
	"event.category": typeList, "event.type": typeList, "tags": typeList,
	"related.ip": typeList, "related.user": typeList, "related.hosts": typeList, "related.hash": typeList,
	"source.ip": typeIP, "destination.ip": typeIP, "client.ip": typeIP, "server.ip": typeIP, "host.ip": typeIP,
	"observer.ip": typeIP, "source.nat.ip": typeIP, "destination.nat.ip": typeIP, "client.nat.ip": typeIP, "server.nat.ip": typeIP,
	"source.port": typeLong, "destination.port": typeLong, "client.port": typeLong, "server.port": typeLong,
	"source.nat.port": typeLong, "destination.nat.port": typeLong,
	"source.bytes": typeLong, "destination.bytes": typeLong, "source.packets": typeLong, "destination.packets": typeLong,
	"client.bytes": typeLong, "server.bytes": typeLong,
	"network.bytes": typeLong, "network.packets": typeLong,
	"http.response.status_code": typeLong, "http.response.bytes": typeLong, "http.response.body.bytes": typeLong,
	"http.request.bytes": typeLong, "http.request.body.bytes": typeLong,
	"process.pid": typeLong, "process.parent.pid": typeLong, "process.thread.id": typeLong, "process.exit_code": typeLong,
	"process.ppid": typeLong,
	"user.id":      typeKeyword, "file.size": typeLong, "dns.id": typeKeyword,
	"dns.answers.ttl": typeLong, "log.syslog.priority": typeLong, "log.syslog.facility.code": typeLong,
	"log.syslog.severity.code": typeLong, "winlog.event_id": typeLong, "winlog.record_id": typeLong,
	"source.geo.location": typeKeyword, "vulnerability.score.base": typeFloat,
	"url.port": typeLong, "email.attachments.file.size": typeLong,
}

// ecsKeywordSets are the ECS field sets whose other fields are keywords.
var ecsKeywordSets = []string{
	"agent.", "client.", "cloud.", "destination.", "dns.", "email.", "error.", "event.", "file.", "group.",
	"host.", "http.", "log.", "network.", "observer.", "orchestrator.", "organization.", "package.",
	"process.", "registry.", "rule.", "server.", "service.", "source.", "threat.", "tls.", "url.",
	"user.", "user_agent.", "vulnerability.",
}

func typeOf(name string) ecsType {
	if t, ok := ecsTypes[name]; ok {
		return t
	}
	if strings.HasSuffix(name, ".port") || strings.HasSuffix(name, ".bytes") || strings.HasSuffix(name, ".packets") {
		for _, p := range ecsKeywordSets {
			if strings.HasPrefix(name, p) {
				return typeLong
			}
		}
	}
	for _, p := range ecsKeywordSets {
		if strings.HasPrefix(name, p) {
			return typeKeyword
		}
	}
	return typeAny
}

// setter writes a value into a field, typed for it. It returns an error
// when the value does not fit the field's ECS type. The zero setter has no
// field.
type setter struct {
	name     string
	typ      ecsType
	envelope bool
}

// setterFor returns the setter of the named field.
func setterFor(name string) setter {
	return setter{name: name, typ: typeOf(name), envelope: isEnvelopeName(name)}
}

// set writes v into the field of e.
func (s setter) set(e *event.Event, v event.Value) error {
	if fits(s.typ, v) {
		e.Set(s.name, v)
		return nil
	}
	w, ok, err := coerce(s.name, s.typ, v)
	if ok {
		e.Set(s.name, w)
	}
	return err
}

// setIn is set through the field index of the step's event.
func (s setter) setIn(x *fieldIndex, v event.Value) error {
	if s.envelope {
		return s.set(x.e, v)
	}
	if fits(s.typ, v) {
		x.set(s.name, v)
		return nil
	}
	w, ok, err := coerce(s.name, s.typ, v)
	if ok {
		x.set(s.name, w)
	}
	return err
}

// fits reports whether v is already what coerce would make of it for a
// field of type t (the common case: the parser typed the value), so the
// caller can skip coerce.
func fits(t ecsType, v event.Value) bool {
	switch v.Kind() {
	case event.KindString:
		s := v.Str()
		return t == typeAny && s != "" || t == typeKeyword && s != "" && s != "-"
	case event.KindIP:
		return t == typeIP || t == typeAny
	case event.KindInt:
		return t == typeLong || t == typeAny
	}
	return false
}

// coerce types v for a field of type t; false means nothing is to be set
// (an empty or null marker value, or an error).
func coerce(name string, t ecsType, v event.Value) (event.Value, bool, error) {
	switch t {
	case typeAny:
		if v.Kind() == event.KindString && v.Str() == "" {
			return v, false, nil
		}
		return v, true, nil
	case typeList:
		switch v.Kind() {
		case event.KindList:
			return v, true, nil
		case event.KindString:
			if s := v.Str(); s != "" && s != "-" {
				return event.List([]string{s}), true, nil
			}
			return v, false, nil
		default:
			return event.List([]string{textOf(v)}), true, nil
		}
	}
	w, ok, err := typed(t, v)
	if err != nil {
		return w, false, &TypeError{Field: name, Err: err}
	}
	return w, ok, nil
}

// TypeError is a value that does not fit its field's ECS type.
type TypeError struct {
	Field string
	Err   error
}

func (e *TypeError) Error() string { return fmt.Sprintf("field %s: %v", e.Field, e.Err) }

func (e *TypeError) Unwrap() error { return e.Err }

// FieldTypeErrors lists the fields whose value a pipeline with
// on_type_error: skip left out because it did not fit the ECS type.
const FieldTypeErrors = "vigil.type_errors"

// typed converts v to type t. It returns false (and no error) for the null
// markers "" and "-".
func typed(t ecsType, v event.Value) (event.Value, bool, error) {
	if v.Kind() == event.KindList && t != typeKeyword && t != typeList {
		// A key repeated in the record: a single-valued field takes the first.
		l := v.List()
		if len(l) == 0 {
			return event.Value{}, false, nil
		}
		v = event.String(l[0])
	}
	k := v.Kind()
	if k == event.KindString || k == event.KindIP {
		s := v.Str()
		if s == "" || s == "-" {
			return event.Value{}, false, nil
		}
	}
	switch t {
	case typeKeyword:
		if k == event.KindString || k == event.KindIP {
			return event.String(v.Str()), true, nil
		}
		if k == event.KindList {
			return v, true, nil
		}
		return event.String(textOf(v)), true, nil
	case typeIP:
		if k == event.KindIP {
			return v, true, nil
		}
		s := textOf(v)
		t := trimIP(s)
		a, err := netip.ParseAddr(t)
		if err != nil {
			return event.Value{}, false, fmt.Errorf("%q is not an IP address", s)
		}
		if a.Is4() {
			// ParseAddr takes only the dotted-decimal form of an IPv4
			// address (no leading zeros), which is its text: keep it.
			return event.IPText(a, t), true, nil
		}
		return event.IP(a), true, nil
	case typeLong:
		switch k {
		case event.KindInt:
			return v, true, nil
		case event.KindFloat:
			return event.Int(int64(v.Float())), true, nil
		}
		s := strings.TrimSpace(textOf(v))
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
				return event.Int(int64(f)), true, nil
			}
			if u, uerr := strconv.ParseUint(s, 0, 64); uerr == nil && u <= 1<<63-1 {
				return event.Int(int64(u)), true, nil
			}
			return event.Value{}, false, fmt.Errorf("%q is not an integer", s)
		}
		return event.Int(n), true, nil
	case typeFloat:
		switch k {
		case event.KindFloat:
			return v, true, nil
		case event.KindInt:
			return event.Float(float64(v.Int())), true, nil
		}
		s := strings.TrimSpace(textOf(v))
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return event.Value{}, false, fmt.Errorf("%q is not a number", s)
		}
		return event.Float(f), true, nil
	case typeBool:
		if k == event.KindBool {
			return v, true, nil
		}
		b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(textOf(v))))
		if err != nil {
			return event.Value{}, false, fmt.Errorf("%q is not a boolean", textOf(v))
		}
		return event.Bool(b), true, nil
	case typeDate:
		if k == event.KindTime {
			return v, true, nil
		}
		tm, err := event.ParseTime(textOf(v))
		if err != nil {
			return event.Value{}, false, fmt.Errorf("%q is not a time", textOf(v))
		}
		return event.Time(tm), true, nil
	}
	return v, true, nil
}

// textOf is v.Text() without its copy for a string or an address
// (event.Value.Text renders into a new buffer whatever the kind).
func textOf(v event.Value) string {
	if k := v.Kind(); k == event.KindString || k == event.KindIP {
		return v.Str()
	}
	return v.Text()
}

// trimIP removes the brackets and zone that wrap addresses in some logs
// ("[2001:db8::1]").
func trimIP(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	return s
}
