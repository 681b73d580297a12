package app

import (
	"fmt"

	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/response"
)

// The node's own actions in the audit log (user.name "vigil"): rule
// loads, response runs, start and stop. Requests are recorded by
// internal/api and internal/auth.

const nodeActor = "vigil"

func (a *App) auditRuleReload(info detect.ReloadInfo) {
	e := audit.Entry{User: nodeActor, Action: "rules.reload", Category: "configuration", Outcome: audit.Success,
		Fields: map[string]string{
			"vigil.rules.files": fmt.Sprint(info.Files), "vigil.rules.loaded": fmt.Sprint(info.Rules),
			"vigil.rules.correlations": fmt.Sprint(info.Correlations), "vigil.rules.rejected": fmt.Sprint(info.Rejected),
		}}
	if info.Err != nil {
		e.Outcome, e.Reason = audit.Failure, info.Err.Error()
	}
	a.audit.Record(e)
}

func (a *App) auditResponse(r response.Record) {
	user := nodeActor
	if r.Actor != "" {
		user = r.Actor // an analyst ran it from the console or the API
	}
	e := audit.Entry{Time: r.Time, Tenant: r.Tenant, User: user, Action: "response.run", Category: "process",
		Outcome: audit.Success, Fields: map[string]string{
			"vigil.response.name": r.Response, "vigil.response.type": r.Action, "vigil.response.subject": r.Kind + " " + r.Subject,
			"vigil.response.attempt": fmt.Sprint(r.Attempt), "rule.id": r.RuleID, "vigil.response.reason": r.Reason,
		}}
	if r.Outcome != response.OutcomeSuccess {
		e.Outcome, e.Reason = audit.Failure, r.Outcome
		if r.Detail != "" {
			e.Reason += ": " + r.Detail
		}
	}
	a.audit.Record(e)
}

// auditLifecycle records a start or a stop of the node.
func (a *App) auditLifecycle(action string) {
	a.audit.Record(audit.Entry{User: nodeActor, Action: action, Category: "process", Outcome: audit.Success,
		Fields: map[string]string{"vigil.roles": fmt.Sprint(a.opts.Roles), "service.version": a.opts.Version}})
}
