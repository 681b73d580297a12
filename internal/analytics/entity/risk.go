package entity

import (
	"math"
	"strings"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/enrich/assets"
	"github.com/vigilsiem/vigil/internal/event"
)

// Contribution is one alert or anomaly that added risk to an entity.
type Contribution struct {
	At       int64    `json:"at"` // event time, Unix seconds
	Points   float64  `json:"points"`
	AlertID  string   `json:"alert_id"`
	RuleID   string   `json:"rule_id"`
	Title    string   `json:"title"`
	Level    string   `json:"level"`
	EventIDs []string `json:"event_ids,omitempty"`
}

// riskState is an entity's risk: a score decayed to At, whether a risk
// alert is out (re-armed once the score falls below half the threshold),
// and the latest contributions.
type riskState struct {
	Score   float64        `json:"score"`
	At      int64          `json:"at"`
	Fired   bool           `json:"fired,omitempty"`
	Contrib []Contribution `json:"contrib,omitempty"`
}

// riskModel weighs and decays risk.
type riskModel struct {
	threshold float64
	halfLife  float64 // seconds
	level     string
	points    map[string]float64
}

func newRiskModel(c config.Risk) riskModel {
	m := riskModel{threshold: c.Threshold, halfLife: c.HalfLife.D().Seconds(), level: c.Level,
		points: map[string]float64{"informational": 1, "low": 5, "medium": 15, "high": 30, "critical": 50}}
	for l, p := range c.Points {
		m.points[l] = p
	}
	if m.halfLife <= 0 {
		m.halfLife = 86400
	}
	return m
}

// decay is the factor points lose over dt seconds.
func (m riskModel) decay(dt int64) float64 {
	if dt <= 0 {
		return 1
	}
	return math.Exp2(-float64(dt) / m.halfLife)
}

// eventWeight raises the points of an anomaly for the asset criticality
// and the privileged identity the asset enricher wrote into its event
// (alerts of rules already carry criticality in their level).
func eventWeight(e *event.Event) float64 {
	w := 1.0
	switch assets.CriticalityRank(e.GetString(assets.FieldCriticality)) {
	case 2:
		w *= 1.5
	case 3:
		w *= 2
	}
	if v, ok := e.Get("vigil.identity.privileged"); ok && (v.Bool() && v.Kind() == event.KindBool || strings.EqualFold(v.Text(), "true")) {
		w *= 1.5
	}
	return w
}

// scoreAt is the score decayed to t.
func (m riskModel) scoreAt(r *riskState, t int64) float64 {
	if r == nil {
		return 0
	}
	return r.Score * m.decay(t-r.At)
}

// add adds a contribution, unless its alert is already counted (a folded
// alert updated), and reports whether the score crossed the threshold
// upwards with no risk alert out.
func (m riskModel) add(r *riskState, c Contribution) bool {
	for _, o := range r.Contrib {
		if o.AlertID == c.AlertID {
			return false
		}
	}
	if c.At >= r.At {
		r.Score = r.Score*m.decay(c.At-r.At) + c.Points
		r.At = c.At
	} else {
		r.Score += c.Points * m.decay(r.At-c.At)
	}
	if r.Fired && r.Score < m.threshold/2 {
		r.Fired = false
	}
	if len(r.Contrib) >= maxContributions {
		copy(r.Contrib, r.Contrib[1:])
		r.Contrib = r.Contrib[:len(r.Contrib)-1]
	}
	r.Contrib = append(r.Contrib, c)
	if !r.Fired && r.Score >= m.threshold {
		r.Fired = true
		return true
	}
	return false
}

// alertEntities puts an entity into the alert entities of its type.
func alertEntities(en *alert.Entities, typ, name string) {
	add := func(l *[]string) {
		for _, s := range *l {
			if strings.EqualFold(s, name) {
				return
			}
		}
		*l = append(*l, name)
	}
	switch typ {
	case "user":
		add(&en.Users)
	case "host":
		add(&en.Hosts)
	case "source_ip":
		add(&en.SourceIPs)
	}
}
