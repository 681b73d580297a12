package alert

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of a: no slice, map or pointed-to part is
// shared with a, so either can change without the other seeing it. Nil
// and empty slices and maps stay what they were (JSON encodes them
// differently).
func (a *Alert) Clone() Alert {
	c := *a
	c.Tags, c.Techniques, c.Tactics, c.EventIDs = slices.Clone(a.Tags), slices.Clone(a.Techniques), slices.Clone(a.Tactics), slices.Clone(a.EventIDs)
	c.Entities = Entities{Hosts: slices.Clone(a.Entities.Hosts), Users: slices.Clone(a.Entities.Users),
		SourceIPs: slices.Clone(a.Entities.SourceIPs), DestinationIPs: slices.Clone(a.Entities.DestinationIPs)}
	if a.Triage != nil {
		t := *a.Triage
		t.Notes = slices.Clone(t.Notes)
		c.Triage = &t
	}
	if a.Correlation != nil {
		k := *a.Correlation
		k.Group, k.AlertIDs = maps.Clone(k.Group), slices.Clone(k.AlertIDs)
		c.Correlation = &k
	}
	if a.Reason != nil {
		r := *a.Reason
		r.Group = maps.Clone(r.Group)
		r.Selections = slices.Clone(r.Selections)
		for i := range r.Selections {
			r.Selections[i].Fields = slices.Clone(r.Selections[i].Fields)
		}
		r.Events = slices.Clone(r.Events)
		for i := range r.Events {
			r.Events[i].Fields = maps.Clone(r.Events[i].Fields)
		}
		c.Reason = &r
	}
	if a.Analytic != nil {
		n := *a.Analytic
		n.Baseline, n.AlertIDs = slices.Clone(n.Baseline), slices.Clone(n.AlertIDs)
		c.Analytic = &n
	}
	return c
}
