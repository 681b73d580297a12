package app

import (
	"io"
	"os"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/api/ui"
	"github.com/vigilsiem/vigil/internal/detect"
)

// maxRuleYAML bounds the rule text the console is sent.
const maxRuleYAML = 256 << 10

// consoleMounts returns the analyst console's handlers: its files, the
// log-in, an alert's triage, the rule lookup, and dashboards and saved
// searches. HTTP ingest, when this node serves it, hands browsers asking for
// "/" to the console.
func (a *App) consoleMounts() ([]api.Mounter, error) {
	c, err := api.NewConsole(ui.FS())
	if err != nil {
		return nil, err
	}
	if in := a.ingestRole.http; in != nil {
		in.SetRootFallback(c.RootHandler())
	} else {
		c.Root = true
	}
	ms := []api.Mounter{c, api.SessionHandler{Auth: a.authn, Open: !a.cfg.Auth.Enabled()}}
	if d := a.detectRole; d != nil {
		ms = append(ms, api.RuleHandler{Rules: ruleFinder{d.engine}})
		rh := api.RulesHandler{Engine: d.engine}
		if q := a.queryRole; a.storeRole == nil && q != nil && q.backend != nil {
			rh.Stats = flushedAlerts{q.backend.records.alerts, nil}
		}
		if st := a.storeRole; st != nil {
			// Per-rule alert counts, from whichever backend keeps alerts.
			rh.Stats = flushedAlerts{st.alerts, st.alertLog}
			if st.events == nil { // backtests read the embedded store
				rh.Events = st.store
			}
		}
		ms = append(ms, rh)
	}
	if st := a.storeRole; st != nil {
		ms = append(ms, api.AlertTriageHandler{Alerts: flushedAlerts{st.alerts, st.alertLog}})
		ms = append(ms, api.DashboardHandler{Store: st.records.dashboards})
	} else if q := a.queryRole; q != nil && q.backend != nil {
		ms = append(ms, api.AlertTriageHandler{Alerts: flushedAlerts{q.backend.records.alerts, nil}})
		ms = append(ms, api.DashboardHandler{Store: q.backend.records.dashboards})
	}
	return ms, nil
}

// ruleFinder looks rules up in the detection engine's current rule set.
type ruleFinder struct{ engine *detect.Engine }

func (f ruleFinder) FindRule(id string) (api.RuleDoc, bool) {
	rs := f.engine.RuleSet()
	if rs == nil {
		return api.RuleDoc{}, false
	}
	for _, c := range rs.Rules() {
		r := c.Rule
		if r.Ref() != id {
			continue
		}
		d := api.RuleDoc{ID: r.Ref(), Title: r.Title, Description: r.Description, Level: r.Level, Status: r.Status,
			Author: r.Author, Tags: r.Tags, References: r.References, FalsePositives: r.FalsePositives, Path: r.Path}
		ls := map[string]string{"product": r.Logsource.Product, "category": r.Logsource.Category, "service": r.Logsource.Service}
		for k, v := range ls {
			if v == "" {
				delete(ls, k)
			}
		}
		d.Logsource = ls
		if r.Path != "" {
			if fh, err := os.Open(r.Path); err == nil {
				b, _ := io.ReadAll(io.LimitReader(fh, maxRuleYAML))
				fh.Close()
				d.YAML = string(b)
			}
		}
		return d, true
	}
	return api.RuleDoc{}, false
}
