package alert

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// AppendJSON appends a as JSON: what json.Marshal writes for it, decoded
// (the same fields, names, omissions and values; strings may differ only
// in which characters are escaped). The alert log, the alert table and the
// incident store encode every alert of a storm once or twice each, and
// encoding/json's reflection cost about four times this
// (BenchmarkAppendJSON). The rarely set parts (triage, correlation,
// analytic, a correlation's reason) go through encoding/json.
func AppendJSON(b []byte, a *Alert) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = event.AppendJSONString(b, a.ID)
	b = append(b, `,"tenant":`...)
	b = event.AppendJSONString(b, a.Tenant)
	b = append(b, `,"rule_id":`...)
	b = event.AppendJSONString(b, a.RuleID)
	b = append(b, `,"rule_title":`...)
	b = event.AppendJSONString(b, a.Title)
	b = append(b, `,"level":`...)
	b = event.AppendJSONString(b, a.Level)
	b = appendList(b, `,"tags":`, a.Tags, true)
	b = appendList(b, `,"techniques":`, a.Techniques, true)
	b = appendList(b, `,"tactics":`, a.Tactics, true)
	b = append(b, `,"first":`...)
	if b, err = appendTime(b, a.First); err != nil {
		return nil, err
	}
	b = append(b, `,"last":`...)
	if b, err = appendTime(b, a.Last); err != nil {
		return nil, err
	}
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(a.Count), 10)
	b = appendList(b, `,"event_ids":`, a.EventIDs, false)
	b = append(b, `,"entities":{`...)
	n := len(b)
	b = appendList(b, `,"hosts":`, a.Entities.Hosts, true)
	b = appendList(b, `,"users":`, a.Entities.Users, true)
	b = appendList(b, `,"source_ips":`, a.Entities.SourceIPs, true)
	b = appendList(b, `,"destination_ips":`, a.Entities.DestinationIPs, true)
	if len(b) > n {
		b = append(b[:n], b[n+1:]...) // the first member's comma
	}
	b = append(b, `},"status":`...)
	b = event.AppendJSONString(b, string(a.Status))
	if a.Assignee != "" {
		b = append(b, `,"assignee":`...)
		b = event.AppendJSONString(b, a.Assignee)
	}
	for _, p := range []struct {
		name string
		v    any
		set  bool
	}{{`,"triage":`, a.Triage, a.Triage != nil}, {`,"correlation":`, a.Correlation, a.Correlation != nil}} {
		if p.set {
			if b, err = appendMarshal(b, p.name, p.v); err != nil {
				return nil, err
			}
		}
	}
	if r := a.Reason; r != nil {
		if len(r.Group) == 0 && len(r.Events) == 0 {
			b = appendSelections(append(b, `,"reason":{`...), r.Selections)
			b = append(b, '}')
		} else if b, err = appendMarshal(b, `,"reason":`, r); err != nil {
			return nil, err
		}
	}
	if a.Analytic != nil {
		if b, err = appendMarshal(b, `,"analytic":`, a.Analytic); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendMarshal(b []byte, name string, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(append(b, name...), j...), nil
}

// appendSelections appends the selections member of a Reason (omitted
// when empty), what a detection rule's alert carries.
func appendSelections(b []byte, sels []ReasonSelection) []byte {
	if len(sels) == 0 {
		return b
	}
	b = append(b, `"selections":[`...)
	for i := range sels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = event.AppendJSONString(b, sels[i].Name)
		b = append(b, `,"fields":`...)
		if sels[i].Fields == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for j, f := range sels[i].Fields {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"field":`...)
				b = event.AppendJSONString(b, f.Field)
				if f.Modifier != "" {
					b = append(b, `,"modifier":`...)
					b = event.AppendJSONString(b, f.Modifier)
				}
				b = append(b, `,"value":`...)
				b = event.AppendJSONString(b, f.Value)
				if f.EventField != "" {
					b = append(b, `,"event_field":`...)
					b = event.AppendJSONString(b, f.EventField)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendList appends a list member (name is `,"name":`): null for a nil
// list, nothing at all for an empty one when omitEmpty.
func appendList(b []byte, name string, l []string, omitEmpty bool) []byte {
	if omitEmpty && len(l) == 0 {
		return b
	}
	b = append(b, name...)
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = event.AppendJSONString(b, s)
	}
	return append(b, ']')
}

// appendTime appends t as time.Time's MarshalJSON does.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y >= 10000 {
		return nil, errors.New("Time.MarshalJSON: year outside of range [0,9999]")
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}
