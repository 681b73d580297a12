package entity

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Summary is one entity in a listing.
type Summary struct {
	Tenant    string    `json:"tenant"`
	Type      string    `json:"type"`
	Name      string    `json:"name"`
	Risk      float64   `json:"risk"`
	Alerts    int       `json:"alerts"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// Baseline is what one analytic learned of an entity.
type Baseline struct {
	Analytic string    `json:"analytic"`
	Kind     string    `json:"kind"`
	Title    string    `json:"title"`
	Since    time.Time `json:"since"`
	// Learning is true while the analytic is still in its learning period.
	Learning bool `json:"learning"`
	// Values (first_seen, rarity): each value with its first time and days.
	Values []ValueSeen `json:"values,omitempty"`
	// Rate: the current hour and its measure, and the median and MAD of
	// each hour of week that has samples.
	Rate *RateBaseline `json:"rate,omitempty"`
	// Travel: the last located event.
	Travel *TravelBaseline `json:"travel,omitempty"`
}

// ValueSeen is one learned value.
type ValueSeen struct {
	Value   string    `json:"value"`
	First   time.Time `json:"first"`
	LastDay string    `json:"last_day"`
	Days    int       `json:"days"`
}

// RateBaseline is a rate analytic's state.
type RateBaseline struct {
	Hour    time.Time `json:"hour"`
	Current float64   `json:"current"`
	// Hours maps "Mon 09:00" to the past weeks' measures of that hour.
	Hours map[string][]float64 `json:"hours,omitempty"`
}

// TravelBaseline is the last located event.
type TravelBaseline struct {
	Where string    `json:"where"`
	Lat   float64   `json:"lat"`
	Lon   float64   `json:"lon"`
	At    time.Time `json:"at"`
	Event string    `json:"event_id,omitempty"`
}

// RiskPoint is one contribution to an entity's risk, with what is left
// of it at the tenant's clock.
type RiskPoint struct {
	Time     time.Time `json:"time"`
	Points   float64   `json:"points"`
	Now      float64   `json:"now"`
	AlertID  string    `json:"alert_id"`
	RuleID   string    `json:"rule_id"`
	Title    string    `json:"title"`
	Level    string    `json:"level"`
	EventIDs []string  `json:"event_ids,omitempty"`
}

// Detail is everything known of one entity.
type Detail struct {
	Summary
	Threshold   float64     `json:"risk_threshold"`
	Baselines   []Baseline  `json:"baselines"`
	RiskHistory []RiskPoint `json:"risk_history"`
}

// Sorts of List.
const (
	SortRisk     = "risk"
	SortLastSeen = "last_seen"
	SortName     = "name"
)

// List returns up to limit entities of a tenant in the given order (risk,
// the default; last_seen; name). Risk is decayed to the tenant's clock.
func (e *Engine) List(tenant, by string, limit int) ([]Summary, error) {
	if by == "" {
		by = SortRisk
	}
	if by != SortRisk && by != SortLastSeen && by != SortName {
		return nil, fmt.Errorf("sort %q: want risk, last_seen or name", by)
	}
	limit = listLimit(limit)
	<-e.ready
	tenant = tenantOf(tenant)
	clock := e.Clock(tenant).Unix()
	prefix := tenant + "\x00"
	var out []Summary
	less := lessBy(by)
	for i := range e.shards {
		sh := &e.shards[i]
		sh.mu.Lock()
		for k, en := range sh.m {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			s := e.summary(en, clock)
			// keep the best limit: a sorted slice; entities past it are dropped
			if len(out) == limit && !less(s, out[limit-1]) {
				continue
			}
			at := sort.Search(len(out), func(j int) bool { return less(s, out[j]) })
			if len(out) < limit {
				out = append(out, Summary{})
			}
			copy(out[at+1:], out[at:len(out)-1])
			out[at] = s
		}
		sh.mu.Unlock()
	}
	if out == nil {
		out = []Summary{}
	}
	return out, nil
}

// listLimit is the entities a List returns for a limit asked (0: 100).
func listLimit(limit int) int {
	if limit <= 0 || limit > maxListLimit {
		return min(max(limit, 100), maxListLimit)
	}
	return limit
}

// lessBy orders summaries for List's sort by.
func lessBy(by string) func(a, b Summary) bool {
	return func(a, b Summary) bool {
		switch by {
		case SortLastSeen:
			if !a.LastSeen.Equal(b.LastSeen) {
				return a.LastSeen.After(b.LastSeen)
			}
		case SortName:
		default:
			if a.Risk != b.Risk {
				return a.Risk > b.Risk
			}
			if !a.LastSeen.Equal(b.LastSeen) {
				return a.LastSeen.After(b.LastSeen)
			}
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Name < b.Name
	}
}

// ListAll is List over engines that hold disjoint entities (the engines of
// the partitions of analytics sharded by entity): the best limit of their
// lists, in List's order.
func ListAll(engines []*Engine, tenant, by string, limit int) ([]Summary, error) {
	out := []Summary{}
	for _, e := range engines {
		l, err := e.List(tenant, by, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	if by == "" {
		by = SortRisk
	}
	less := lessBy(by)
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	limit = listLimit(limit)
	return out[:min(len(out), limit)], nil
}

func (e *Engine) summary(en *entity, clock int64) Summary {
	tenant, typ, name := splitKey(en.key)
	s := Summary{Tenant: tenant, Type: typ, Name: name, FirstSeen: time.Unix(en.first, 0).UTC(), LastSeen: time.Unix(en.seen, 0).UTC()}
	if en.risk != nil {
		s.Risk = round2(e.risk.scoreAt(en.risk, max(clock, en.risk.At)))
		s.Alerts = len(en.risk.Contrib)
	}
	return s
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// Entity returns an entity's baselines and risk history; ok is false when
// the engine does not know it. Names compare in lower case.
func (e *Engine) Entity(tenant, typ, name string) (Detail, bool) {
	<-e.ready
	tenant = tenantOf(tenant)
	key := appendKey(nil, tenant, typ, strings.ToLower(name))
	clock := e.Clock(tenant).Unix()
	sh := e.shardOf(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	en := sh.m[string(key)]
	if en == nil {
		return Detail{}, false
	}
	d := Detail{Summary: e.summary(en, clock), Threshold: e.risk.threshold, Baselines: []Baseline{}, RiskHistory: []RiskPoint{}}
	for _, sl := range en.states {
		a := e.analytics[sl.a]
		b := Baseline{Analytic: a.cfg.Name, Kind: a.kind.String(), Title: a.title}
		switch s := sl.st.(type) {
		case *valuesState:
			b.Since = time.Unix(s.Since, 0).UTC()
			b.Learning = clock-s.Since < a.learn
			for _, v := range s.Vals {
				b.Values = append(b.Values, ValueSeen{Value: v.V, First: time.Unix(v.First, 0).UTC(),
					LastDay: time.Unix(int64(v.LastDay)*86400, 0).UTC().Format(time.DateOnly), Days: int(v.Days)})
			}
		case *rateState:
			b.Since = time.Unix(s.Since, 0).UTC()
			b.Learning = clock-s.Since < a.learn
			rb := &RateBaseline{Hour: time.Unix(s.Hour*3600, 0).UTC(), Current: s.Cur}
			if s.hasHist() {
				rb.Hours = map[string][]float64{}
				monday := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // a Monday
				for h := 0; h < 168; h++ {
					var xs []float64
					for w := 0; w < rateWeeks; w++ {
						if q := s.at(h*rateWeeks + w); q != qEmpty {
							xs = append(xs, round2(dequantize(float64(q))))
						}
					}
					if len(xs) > 0 {
						rb.Hours[monday.Add(time.Duration(h)*time.Hour).Format("Mon 15:04")] = xs
					}
				}
			}
			b.Rate = rb
		case *travelState:
			b.Since = time.Unix(s.At, 0).UTC()
			b.Travel = &TravelBaseline{Where: s.Where, Lat: s.Lat, Lon: s.Lon, At: time.Unix(s.At, 0).UTC(), Event: s.Event}
		}
		d.Baselines = append(d.Baselines, b)
	}
	if en.risk != nil {
		now := max(clock, en.risk.At)
		for _, c := range en.risk.Contrib {
			d.RiskHistory = append(d.RiskHistory, RiskPoint{Time: time.Unix(c.At, 0).UTC(), Points: round2(c.Points),
				Now: round2(c.Points * e.risk.decay(now-c.At)), AlertID: c.AlertID, RuleID: c.RuleID, Title: c.Title,
				Level: c.Level, EventIDs: c.EventIDs})
		}
	}
	return d, true
}
