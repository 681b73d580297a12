package ingest

import (
	_ "embed"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// ECS conformance: CheckECS reports the values of a normalised event that
// ECS does not allow. The allowed categorisation values below are ECS's
// "Categorization fields" (event.kind, event.category with the event.type
// values each category expects, event.type, event.outcome), as listed in
// the ECS reference (elastic.co/docs/reference/ecs, ecs-allowed-values-*)
// and in the allowed_values of ECS's generated ecs_flat (ECS 8.x/9.x; the
// @elastic/ecs npm package 9.4.0). ecs_fields.txt lists every ECS field
// with its type, from the same source.

// ecsKinds are the allowed values of event.kind.
var ecsKinds = strSet("alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal")

// ecsOutcomes are the allowed values of event.outcome.
var ecsOutcomes = strSet("failure", "success", "unknown")

// ecsTypeValues are the allowed values of event.type. "device" is in the
// ECS reference's list, not yet in the generated schema.
var ecsTypeValues = strSet("access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied",
	"device", "end", "error", "group", "indicator", "info", "installation", "protocol", "start", "user")

// ecsCategories maps each allowed event.category to the event.type values
// ECS lists as expected with it.
var ecsCategories = map[string]map[string]bool{
	"api":                 strSet("access", "admin", "allowed", "change", "creation", "deletion", "denied", "end", "info", "start", "user"),
	"authentication":      strSet("start", "end", "info"),
	"configuration":       strSet("access", "change", "creation", "deletion", "info"),
	"database":            strSet("access", "change", "info", "error"),
	"driver":              strSet("change", "end", "info", "start"),
	"email":               strSet("info"),
	"file":                strSet("access", "change", "creation", "deletion", "info"),
	"host":                strSet("access", "change", "end", "info", "start"),
	"iam":                 strSet("admin", "change", "creation", "deletion", "group", "info", "user"),
	"intrusion_detection": strSet("allowed", "denied", "info"),
	"library":             strSet("start"),
	"malware":             strSet("info"),
	"network":             strSet("access", "allowed", "connection", "denied", "end", "info", "protocol", "start"),
	"package":             strSet("access", "change", "deletion", "info", "installation", "start"),
	"process":             strSet("access", "change", "end", "info", "start"),
	"registry":            strSet("access", "change", "creation", "deletion"),
	"session":             strSet("start", "end", "info"),
	"threat":              strSet("indicator"),
	"vulnerability":       strSet("info"),
	"web":                 strSet("access", "error", "info"),
}

func strSet(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

//go:embed ecs_fields.txt
var ecsFieldsText string

// ecsFields maps every ECS field name to its ECS type; ecsOpen holds the
// object, flattened and nested fields, under which any name is ECS.
var ecsFields, ecsOpen, ecsSets = loadECSFields(ecsFieldsText)

func loadECSFields(text string) (fields map[string]string, open []string, sets map[string]bool) {
	fields = map[string]string{}
	sets = map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, typ, _ := strings.Cut(line, " ")
		fields[name] = typ
		if typ == "object" || typ == "flattened" || typ == "nested" {
			open = append(open, name+".")
		}
		if top, _, ok := strings.Cut(name, "."); ok {
			sets[top] = true
		}
	}
	return fields, open, sets
}

// ECSViolation is one value or name ECS does not allow.
type ECSViolation struct {
	// Rule names the check: kind, category, type, outcome,
	// category_type, ip, port, bytes, timestamp, user_domain, host_name,
	// code_type, pid_type, empty, name_case, name_unknown; test files add
	// timestamp_guessed (the record carries a time, @timestamp is the
	// receive time).
	Rule  string
	Field string
	Msg   string
}

func (v ECSViolation) String() string { return v.Rule + ": " + v.Field + ": " + v.Msg }

// ecsTimeWindow bounds @timestamp around the receive time: a sample's own
// time far outside it was misread (a wrong year, a unit error in an epoch).
const (
	ecsTimePast   = 30 * 365 * 24 * time.Hour
	ecsTimeFuture = 2 * 24 * time.Hour
)

// CheckECS returns what of e ECS does not allow. received is the receive
// time @timestamp is bounded against.
func CheckECS(e *event.Event, received time.Time) []ECSViolation {
	var out []ECSViolation
	add := func(rule, field, format string, args ...any) {
		out = append(out, ECSViolation{Rule: rule, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	cats := e.GetList("event.category")
	types := e.GetList("event.type")
	if v, ok := e.Get("event.kind"); ok && !ecsKinds[v.Text()] {
		add("kind", "event.kind", "%q is not an ECS event.kind", v.Text())
	}
	if v, ok := e.Get("event.outcome"); ok && !ecsOutcomes[v.Text()] {
		add("outcome", "event.outcome", "%q is not an ECS event.outcome", v.Text())
	}
	known := 0
	for _, c := range cats {
		if ecsCategories[c] == nil {
			add("category", "event.category", "%q is not an ECS event.category", c)
		} else {
			known++
		}
	}
	for _, t := range types {
		if !ecsTypeValues[t] {
			add("type", "event.type", "%q is not an ECS event.type", t)
			continue
		}
		expected := false
		for _, c := range cats {
			if ecsCategories[c][t] {
				expected = true
			}
		}
		if known > 0 && !expected {
			add("category_type", "event.type", "%q is not an event.type ECS expects with event.category %q", t, cats)
		}
	}
	if ts, ok := e.Get(event.FieldTimestamp); !ok {
		add("timestamp", "@timestamp", "missing")
	} else if t := ts.Time(); t.Before(received.Add(-ecsTimePast)) || t.After(received.Add(ecsTimeFuture)) {
		add("timestamp", "@timestamp", "%s is far from the receive time %s", t.Format(time.RFC3339), received.Format(time.RFC3339))
	}
	for _, f := range []string{"user.name", "source.user.name", "destination.user.name", "user.target.name", "client.user.name", "server.user.name"} {
		if name := e.GetString(f); name != "" {
			if i := strings.IndexByte(name, '\\'); i > 0 && i < len(name)-1 {
				add("user_domain", f, "%q holds a domain: the user goes to %s, the domain to %s", name, f, strings.TrimSuffix(f, "name")+"domain")
			}
		}
	}
	e.Range(func(name string, v event.Value) bool {
		checkECSField(name, v, add)
		return true
	})
	return out
}

var upperName = regexp.MustCompile(`[A-Z]`)

// checkECSField checks the value of one field against its ECS type, and
// its name: a name under an ECS field set must be an ECS field.
func checkECSField(name string, v event.Value, add func(rule, field, format string, args ...any)) {
	top, _, dotted := strings.Cut(name, ".")
	if !dotted || !ecsSets[top] || event.IsEnvelope(name) {
		return
	}
	typ, known := ecsFields[name]
	if !known && (strings.HasSuffix(name, ".location.lat") || strings.HasSuffix(name, ".location.lon")) {
		// A geo_point written as its object form {lat, lon}.
		known = ecsFields[name[:strings.LastIndexByte(name, '.')]] == "geo_point"
	}
	if !known {
		for _, p := range ecsOpen {
			if strings.HasPrefix(name, p) {
				known = true
				break
			}
		}
	}
	if !known {
		if upperName.MatchString(name) {
			if _, ok := ecsFields[strings.ToLower(name)]; ok {
				add("name_case", name, "ECS names are lower case: %s", strings.ToLower(name))
				return
			}
		}
		add("name_unknown", name, "not an ECS field, though %s. is an ECS field set: use a vendor namespace", top)
		return
	}
	switch {
	case typ == "ip":
		for _, s := range valueTexts(v) {
			if _, err := netip.ParseAddr(s); err != nil {
				add("ip", name, "%q is not an IP address", s)
			}
		}
	case strings.HasSuffix(name, ".port") && typ == "long":
		if v.Kind() != event.KindInt || v.Int() < 0 || v.Int() > 65535 {
			add("port", name, "%q is not a port number 0-65535", v.Text())
		}
	case strings.HasSuffix(name, ".bytes") && typ == "long":
		if v.Kind() != event.KindInt || v.Int() < 0 {
			add("bytes", name, "%q is not a byte count", v.Text())
		}
	case strings.HasSuffix(name, ".pid") || name == "process.parent.pid":
		if v.Kind() != event.KindInt {
			add("pid_type", name, "%s %q is not an integer", v.Kind(), v.Text())
		}
	case name == "event.code":
		if v.Kind() != event.KindString {
			add("code_type", name, "%s %q is not a string (ECS keyword)", v.Kind(), v.Text())
		}
	case name == "host.name" || name == "observer.name" || name == "user.name":
		if strings.TrimSpace(v.Text()) == "" || v.Text() == "-" {
			add("empty", name, "%q is empty", v.Text())
		}
	}
}

func valueTexts(v event.Value) []string {
	if v.Kind() == event.KindList {
		return v.List()
	}
	return []string{v.Text()}
}
