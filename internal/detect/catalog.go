package detect

import (
	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
)

// RuleInfo describes one loaded rule for the rules page: what alerts name
// it by, its level and ATT&CK mapping.
type RuleInfo struct {
	// ID is the rule_id its alerts carry.
	ID    string `json:"id"`
	Title string `json:"title"`
	Level string `json:"level,omitempty"`
	// Kind is "detection" or "correlation".
	Kind       string   `json:"kind"`
	Status     string   `json:"status,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Tactics    []string `json:"tactics,omitempty"`
	Techniques []string `json:"techniques,omitempty"`
	Path       string   `json:"path,omitempty"`
	// Silent: the rule raises no alert of its own (a correlation that
	// does not generate it uses it, or it only writes watch-lists).
	Silent bool `json:"silent,omitempty"`
}

// Rule kinds of RuleInfo.
const (
	KindDetection   = "detection"
	KindCorrelation = "correlation"
)

// Catalog lists the loaded rules, detection rules first, in load order.
func (e *Engine) Catalog() []RuleInfo {
	st := e.cur.Load()
	if st == nil {
		return nil
	}
	out := make([]RuleInfo, 0, st.Len())
	for _, c := range st.Set.Rules() {
		r := c.Rule
		out = append(out, ruleInfo(r, ruleID(r), KindDetection, r.Level, !st.Emits(r)))
	}
	for _, c := range st.Correlations.Correlations() {
		out = append(out, ruleInfo(c.Rule, c.Ref(), KindCorrelation, c.Level(), !c.Emits()))
	}
	return out
}

func ruleInfo(r *sigma.Rule, id, kind, level string, silent bool) RuleInfo {
	tech, tact := alert.Attack(r.Tags)
	return RuleInfo{ID: id, Title: r.Title, Level: level, Kind: kind, Status: r.Status, Tags: r.Tags,
		Tactics: tact, Techniques: tech, Path: r.Path, Silent: silent}
}
