package config

import (
	"strings"
	"testing"
	"time"
)

func TestAnalyticsConfig(t *testing.T) {
	c, err := Parse([]byte("analytics:\n  risk: {threshold: 40}\n  rules:\n    - {name: vpn, kind: rate, entity: user, key: [user.name], filter: 'event.dataset:vpn'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Analytics
	if !*a.Defaults || a.MaxEntities != DefaultAnalyticsMaxEntities || a.Risk.Threshold != 40 || a.Risk.HalfLife.D() != 24*time.Hour ||
		a.Rules[0].Measure != "count" || a.Rules[0].Threshold != 6 || a.Rules[0].Level != "low" {
		t.Errorf("defaults not filled: %+v", a)
	}
	for _, bad := range []string{
		"analytics:\n  rules:\n    - {name: x, kind: median, entity: user, key: [a]}\n",
		"analytics:\n  rules:\n    - {name: x, kind: first_seen, entity: user, key: [a]}\n",
		"analytics:\n  rules:\n    - {kind: first_seen, entity: user, key: [a], value: [b]}\n",
		"analytics:\n  rules:\n    - {name: x, kind: travel, entity: user, key: [a]}\n    - {name: x, kind: travel, entity: user, key: [a]}\n",
		"analytics:\n  risk: {level: severe}\n",
		"analytics:\n  max_values: 5000\n",
		"analytics:\n  rules:\n    - {name: x, kind: rate, measure: distinct, entity: user, key: [a]}\n",
	} {
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "analytics") {
			t.Errorf("accepted or unclear: %q: %v", bad, err)
		}
	}
}
