package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/store"
)

// RuleEngine is the detection engine as the rules page sees it;
// *detect.Engine implements it.
type RuleEngine interface {
	Catalog() []detect.RuleInfo
	Status() detect.Status
	Toggles() *detect.Toggles
	NewRuleTest(id string) (*detect.RuleTest, error)
}

// RuleStatter counts the alerts of each rule in a period; every
// store.AlertRecords implements it.
type RuleStatter interface {
	RuleStats(ctx context.Context, tenant string, from, to time.Time) ([]store.RuleStat, error)
}

// RulesHandler serves the rules page of the console:
//
//	GET   /api/v1/rules?tenant=                every loaded rule, with its state for the tenant, and the rejected ones
//	PATCH /api/v1/rules/{id}?tenant=           {"enabled": bool}: switch a rule on or off for the tenant
//	GET   /api/v1/coverage?tenant=&from=&to=   the ATT&CK matrix of enabled rules and of alerts
//	POST  /api/v1/rules/{id}/test?tenant=      run a rule over pasted events (ruletrial.go)
//	POST  /api/v1/rules/{id}/backtest?tenant=  run a rule over stored events (ruletrial.go)
//
// Changes need the analyst role (the auth middleware) and are recorded in
// the audit log with the actor.
type RulesHandler struct {
	Engine RuleEngine
	// Stats counts alerts per rule; nil: no counts.
	Stats RuleStatter
	// Events is scanned by backtests; nil: backtests answer 501.
	Events EventScanner
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Routes implements Mounter.
func (h RulesHandler) Routes() []Route {
	js := []string{"application/json"}
	return []Route{
		{Method: "GET", Path: "/api/v1/rules", Role: auth.Viewer, Tag: "rules", Tenanted: true, Handler: h.list,
			Summary: "Every loaded rule with its state for the tenant, alerts of the last 24 hours and last fired; the rejected rules"},
		{Method: "PATCH", Path: "/api/v1/rules/{id}", Role: auth.Analyst, Tag: "rules", Tenanted: true, Handler: h.patch, Body: js,
			Summary: "Switch a rule on or off for the tenant: {\"enabled\": bool}"},
		{Method: "GET", Path: "/api/v1/coverage", Role: auth.Viewer, Tag: "rules", Tenanted: true, Handler: h.coverage,
			Query:   []Param{{Name: "from", Description: "start of the alerts' period (default -7d)"}, {Name: "to", Description: "end of the period (default now)"}},
			Summary: "The ATT&CK matrix: per tactic and technique, the enabled rules and the alerts of the period"},
		{Method: "POST", Path: "/api/v1/rules/{id}/test", Role: auth.Analyst, Tag: "rules", Tenanted: true, Handler: h.test, Body: js,
			Summary: "Run a rule over pasted events: what it would have raised"},
		{Method: "POST", Path: "/api/v1/rules/{id}/backtest", Role: auth.Analyst, Tag: "rules", Tenanted: true, Handler: h.backtest, Body: js,
			Summary: "Run a rule over the tenant's stored events of a range: what it would have raised, and how long it took"},
	}
}

func (h RulesHandler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// RuleRow is one rule of the rules page.
type RuleRow struct {
	detect.RuleInfo
	// Enabled is false when the rule is switched off for the tenant, by
	// DisabledBy at DisabledAt.
	Enabled    bool       `json:"enabled"`
	DisabledBy string     `json:"disabled_by,omitempty"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	// Alerts24h and Hits24h are the alerts last seen in the last 24 hours
	// and the matches they fold; LastFired the last time any of its
	// alerts was seen.
	Alerts24h int64      `json:"alerts_24h"`
	Hits24h   int64      `json:"hits_24h"`
	LastFired *time.Time `json:"last_fired,omitempty"`
}

type rulesList struct {
	Rules    []RuleRow          `json:"rules"`
	Rejected []detect.Rejection `json:"rejected"`
	LoadedAt time.Time          `json:"loaded_at"`
	// DisabledByConfig counts the rules vigil.yaml's rules.disable left
	// out (they are not loaded, so not listed).
	DisabledByConfig int `json:"disabled_by_config"`
}

func (h RulesHandler) list(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	now := h.now()
	day, ever := map[string]store.RuleStat{}, map[string]store.RuleStat{}
	if h.Stats != nil {
		for _, p := range []struct {
			from time.Time
			m    map[string]store.RuleStat
		}{{now.Add(-24 * time.Hour), day}, {time.Time{}, ever}} {
			sts, err := h.Stats.RuleStats(r.Context(), tenant, p.from, time.Time{})
			if err != nil {
				WriteError(w, triageStatus(err), err)
				return
			}
			for _, s := range sts {
				p.m[s.RuleID] = s
			}
		}
	}
	tg := h.Engine.Toggles()
	cat := h.Engine.Catalog()
	out := rulesList{Rules: make([]RuleRow, 0, len(cat)), Rejected: []detect.Rejection{}}
	for _, ri := range cat {
		out.Rules = append(out.Rules, h.row(ri, tenant, tg, day, ever))
	}
	st := h.Engine.Status()
	if st.Rejected != nil {
		out.Rejected = st.Rejected
	}
	out.LoadedAt, out.DisabledByConfig = st.LoadedAt, st.Disabled
	WriteJSON(w, http.StatusOK, out)
}

func (h RulesHandler) row(ri detect.RuleInfo, tenant string, tg *detect.Toggles, day, ever map[string]store.RuleStat) RuleRow {
	row := RuleRow{RuleInfo: ri, Enabled: true}
	if t, off := tg.Get(tenant, ri.ID); off {
		at := t.At
		row.Enabled, row.DisabledBy, row.DisabledAt = false, t.By, &at
	}
	if s, ok := day[ri.ID]; ok {
		row.Alerts24h, row.Hits24h = s.Alerts, s.Events
	}
	if s, ok := ever[ri.ID]; ok {
		last := s.Last
		row.LastFired = &last
	}
	return row
}

func (h RulesHandler) find(id string) (detect.RuleInfo, bool) {
	for _, ri := range h.Engine.Catalog() {
		if ri.ID == id {
			return ri, true
		}
	}
	return detect.RuleInfo{}, false
}

// maxRuleChangeBody bounds a rule change: {"enabled": false}.
const maxRuleChangeBody = 1 << 10

func (h RulesHandler) patch(w http.ResponseWriter, r *http.Request) {
	id, tenant := r.PathValue("id"), tenantOf(r)
	noteAudit(r, "", "vigil.rule.id", truncate(id, 256))
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if err := readJSON(w, r, maxRuleChangeBody, &body); err != nil {
		writeBodyError(w, err)
		return
	}
	if body.Enabled == nil {
		WriteError(w, http.StatusBadRequest, errors.New("enabled: want true or false"))
		return
	}
	ri, ok := h.find(id)
	if !ok {
		WriteError(w, http.StatusNotFound, detect.ErrRuleNotFound)
		return
	}
	tg := h.Engine.Toggles()
	if tg == nil {
		WriteError(w, http.StatusNotImplemented, errors.New("this node does not keep rule switches"))
		return
	}
	noteAudit(r, "", "vigil.rule.enabled", fmt.Sprint(*body.Enabled))
	if _, err := tg.Set(tenant, id, *body.Enabled, auth.FromContext(r.Context()).Name, h.now()); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, detect.ErrTooManyDisabled) {
			status = http.StatusBadRequest
		}
		WriteError(w, status, err)
		return
	}
	WriteJSON(w, http.StatusOK, h.row(ri, tenant, tg, nil, nil))
}

// readJSON reads a JSON body of at most limit bytes into v: one object
// with known fields only, sent as application/json (errNotJSON).
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errNotJSON
	}
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return errors.New("read body: data after the JSON object")
	}
	return nil
}

func writeBodyError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errNotJSON):
		status = http.StatusUnsupportedMediaType
	case errors.As(err, &tooBig):
		status = http.StatusRequestEntityTooLarge
	}
	WriteError(w, status, err)
}

// CoverageCell is one tactic × technique of the ATT&CK matrix.
type CoverageCell struct {
	Tactic    string `json:"tactic"`
	Technique string `json:"technique"`
	// Rules are the enabled rules mapped to the cell.
	Rules []string `json:"rules"`
	// Alerts counts the alerts of the period in the cell, AlertRules the
	// rules that raised them.
	Alerts     int64    `json:"alerts"`
	AlertRules []string `json:"alert_rules"`
}

type coverage struct {
	// Tactics are the matrix's columns in ATT&CK's order (those with a
	// cell).
	Tactics []string       `json:"tactics"`
	Cells   []CoverageCell `json:"cells"`
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
}

// attackOrder is the ATT&CK enterprise tactics in kill-chain order.
var attackOrder = []string{"reconnaissance", "resource-development", "initial-access", "execution", "persistence",
	"privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement", "collection",
	"command-and-control", "exfiltration", "impact"}

// noTechnique marks a rule or alert tagged with a tactic alone.
const noTechnique = "-"

func (h RulesHandler) coverage(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	now := h.now()
	q := r.URL.Query()
	from, err := ParseTimeParam(q.Get("from"), now)
	if err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("from: %w", err))
		return
	}
	to, err := ParseTimeParam(q.Get("to"), now)
	if err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("to: %w", err))
		return
	}
	if from.IsZero() {
		from = now.Add(-7 * 24 * time.Hour)
	}
	if to.IsZero() {
		to = now
	}
	type key struct{ tactic, tech string }
	cells := map[key]*CoverageCell{}
	cell := func(k key) *CoverageCell {
		c := cells[k]
		if c == nil {
			c = &CoverageCell{Tactic: k.tactic, Technique: k.tech, Rules: []string{}, AlertRules: []string{}}
			cells[k] = c
		}
		return c
	}
	each := func(tactics, techs []string, fn func(*CoverageCell)) {
		if len(techs) == 0 {
			techs = []string{noTechnique}
		}
		for _, ta := range tactics {
			for _, te := range techs {
				fn(cell(key{ta, te}))
			}
		}
	}
	tg := h.Engine.Toggles()
	for _, ri := range h.Engine.Catalog() {
		if ri.Silent || tg.Disabled(tenant, ri.ID) {
			continue
		}
		each(ri.Tactics, ri.Techniques, func(c *CoverageCell) { c.Rules = append(c.Rules, ri.ID) })
	}
	if h.Stats != nil {
		sts, err := h.Stats.RuleStats(r.Context(), tenant, from, to)
		if err != nil {
			WriteError(w, triageStatus(err), err)
			return
		}
		for _, s := range sts {
			each(s.Tactics, s.Techniques, func(c *CoverageCell) { c.Alerts += s.Alerts; c.AlertRules = append(c.AlertRules, s.RuleID) })
		}
	}
	rank := map[string]int{}
	for i, t := range attackOrder {
		rank[t] = i
	}
	out := coverage{Cells: make([]CoverageCell, 0, len(cells)), From: from.UTC(), To: to.UTC(), Tactics: []string{}}
	seen := map[string]bool{}
	for _, c := range cells {
		out.Cells = append(out.Cells, *c)
		if !seen[c.Tactic] {
			seen[c.Tactic] = true
			out.Tactics = append(out.Tactics, c.Tactic)
		}
	}
	sort.Slice(out.Tactics, func(i, j int) bool { return rank[out.Tactics[i]] < rank[out.Tactics[j]] })
	sort.Slice(out.Cells, func(i, j int) bool {
		a, b := out.Cells[i], out.Cells[j]
		if a.Tactic != b.Tactic {
			return rank[a.Tactic] < rank[b.Tactic]
		}
		return a.Technique < b.Technique
	})
	WriteJSON(w, http.StatusOK, out)
}

// alertsOfTest is what a rule test or backtest would have raised.
type alertsOfTest struct {
	Events  int64         `json:"events"`
	Matches int64         `json:"matches"`
	Alerts  []alert.Alert `json:"alerts"`
	// More counts the alerts past the MaxTestAlerts listed.
	More   int64 `json:"more_alerts"`
	TookMS int64 `json:"took_ms"`
}
