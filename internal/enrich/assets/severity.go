package assets

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// Criticality levels of an asset or identity, lowest first.
var Criticalities = []string{"low", "medium", "high", "critical"}

// CriticalityRank returns the rank of a criticality (low 0 … critical 3),
// or -1 for anything else. Case is ignored.
func CriticalityRank(c string) int {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "low":
		return 0
	case "medium":
		return 1
	case "high":
		return 2
	case "critical":
		return 3
	}
	return -1
}

// RaiseLevel returns the alert level for an alert of the given level on
// an asset of the given criticality: a high asset raises the level one
// step, a critical asset two steps (at most to critical); low, medium and
// unknown criticalities leave it as it is. Levels are Sigma's
// (informational, low, medium, high, critical); an unknown level is
// returned unchanged.
//
//	level \ asset   low/medium   high       critical
//	informational   informational low       medium
//	low             low          medium     high
//	medium          medium       high       critical
//	high            high         critical   critical
//	critical        critical     critical   critical
func RaiseLevel(level, criticality string) string {
	r := alert.LevelRank(level)
	if r < 0 {
		return level
	}
	switch CriticalityRank(criticality) {
	case 2:
		r++
	case 3:
		r += 2
	}
	if r >= len(alert.Levels) {
		r = len(alert.Levels) - 1
	}
	return alert.Levels[r]
}

// FieldCriticality is the event field the asset enricher sets to the
// highest criticality of the assets and identities an event involves.
const FieldCriticality = "vigil.asset.criticality"

// AlertLevel is RaiseLevel with the criticality the asset enricher wrote
// into the event (FieldCriticality): call it wherever an alert is made
// from an event, after enrichment has run.
func AlertLevel(level string, e *event.Event) string {
	c := e.GetString(FieldCriticality)
	if c == "" {
		return level
	}
	return RaiseLevel(level, c)
}
