package alert

import (
	"encoding/json"
	"testing"
	"time"
)

// fullAlert has every part that Clone copies set.
func fullAlert() Alert {
	t := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	return Alert{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "t", Level: "high",
		Tags: []string{"attack.t1059"}, Techniques: []string{"T1059"}, Tactics: []string{"execution"},
		First: t, Last: t, Count: 2, EventIDs: []string{"e1", "e2"},
		Entities: Entities{Hosts: []string{"h"}, Users: []string{"u"}, SourceIPs: []string{"10.0.0.1"}, DestinationIPs: []string{"10.0.0.2"}},
		Status:   StatusOpen, Triage: &Triage{By: "kato", At: t, Notes: []Note{{At: t, Actor: "kato", Text: "n"}}},
		Correlation: &Correlation{Type: "event_count", Group: map[string]string{"user": "u"}, AlertIDs: []string{"c1"}},
		Reason: &Reason{Selections: []ReasonSelection{{Name: "sel", Fields: []ReasonField{{Field: "f", Value: "v"}}}},
			Group: map[string]string{"g": "1"}, Events: []ReasonEvent{{ID: "e1", Rule: "r", Time: t, Fields: map[string]string{"k": "v"}}}},
		Analytic: &Analytic{Name: "risk", Baseline: []string{"SE"}, AlertIDs: []string{"x"}},
	}
}

// TestCloneSharesNothing: changing every slice, map and pointed-to part
// of the original after Clone leaves the copy as it was.
func TestCloneSharesNothing(t *testing.T) {
	a := fullAlert()
	c := a.Clone()
	before, _ := json.Marshal(c)
	if orig, _ := json.Marshal(a); string(orig) != string(before) {
		t.Fatalf("clone differs:\n%s\n%s", orig, before)
	}
	a.Tags[0], a.Techniques[0], a.Tactics[0], a.EventIDs[0] = "x", "x", "x", "x"
	a.Entities.Hosts[0], a.Entities.Users[0], a.Entities.SourceIPs[0], a.Entities.DestinationIPs[0] = "x", "x", "x", "x"
	a.Triage.By, a.Triage.Notes[0].Text = "x", "x"
	a.Correlation.Type, a.Correlation.Group["user"], a.Correlation.AlertIDs[0] = "x", "x", "x"
	a.Reason.Selections[0].Name, a.Reason.Selections[0].Fields[0].Value = "x", "x"
	a.Reason.Group["g"], a.Reason.Events[0].ID, a.Reason.Events[0].Fields["k"] = "x", "x", "x"
	a.Analytic.Name, a.Analytic.Baseline[0], a.Analytic.AlertIDs[0] = "x", "x", "x"
	if after, _ := json.Marshal(c); string(after) != string(before) {
		t.Fatalf("the clone changed with the original:\n%s\n%s", before, after)
	}
}

// TestCloneKeepsNilAndEmpty: a nil list stays nil and an empty one empty
// (JSON writes null and [] for them).
func TestCloneKeepsNilAndEmpty(t *testing.T) {
	for _, ids := range [][]string{nil, {}} {
		a := Alert{ID: "a", EventIDs: ids}
		c := a.Clone()
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(c)
		if string(x) != string(y) {
			t.Fatalf("event ids %#v: clone encodes as %s, want %s", ids, y, x)
		}
	}
}
