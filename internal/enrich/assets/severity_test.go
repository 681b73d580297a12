package assets

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestRaiseLevel(t *testing.T) {
	f := func(level, crit, want string) {
		t.Helper()
		if got := RaiseLevel(level, crit); got != want {
			t.Errorf("RaiseLevel(%q, %q) = %q, want %q", level, crit, got, want)
		}
	}
	f("informational", "critical", "medium")
	f("informational", "high", "low")
	f("low", "low", "low")
	f("low", "medium", "low")
	f("low", "High", "medium")
	f("medium", "critical", "critical")
	f("high", "high", "critical")
	f("critical", "critical", "critical")
	f("medium", "", "medium")
	f("medium", "bogus", "medium")
	f("weird", "critical", "weird")

	e := &event.Event{}
	if AlertLevel("low", e) != "low" {
		t.Error("no criticality changed the level")
	}
	e.SetString(FieldCriticality, "critical")
	if AlertLevel("low", e) != "high" {
		t.Error("critical asset did not raise low to high")
	}
}
