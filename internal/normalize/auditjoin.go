package normalize

import (
	"context"
	"slices"

	"github.com/vigilsiem/vigil/internal/event"
)

// AuditPipeline is the name of the built-in pipeline whose events
// AuditJoin joins (internal/normalize/pipelines/linux_auditd.yml).
const AuditPipeline = "linux.auditd"

// MaxAuditRecords bounds the records joined into one audit event. The
// kernel writes one record per path or argument chunk, so a single
// syscall can come with hundreds; past the bound a new event starts, so
// one event (and its event.original) stays a few kilobytes.
const MaxAuditRecords = 64

// AuditJoin joins the records of one Linux audit event. auditd writes an
// event as several lines (SYSCALL, EXECVE, CWD, PATH …, PROCTITLE, EOE)
// that share "msg=audit(TIME:SERIAL)"; the linux.auditd pipeline maps each
// line on its own, and this stage, which runs after the pipelines, folds
// the later records of a serial into the first one: a field the first
// lacks is taken from the later record, event.category and event.type
// gain the later values, and event.original becomes the lines joined by
// newlines, so nothing is lost.
//
// Records are joined within one batch, keyed by source, host, serial and
// time: the lines of one event are written together, so they almost
// always arrive in the same batch. Records of a serial split across two
// batches stay two events, each mapped on its own. The stage keeps no
// state between batches, so it holds no record back and needs no timer.
type AuditJoin struct{}

// NewAuditJoin returns the audit record join stage.
func NewAuditJoin() *AuditJoin { return &AuditJoin{} }

// Name implements pipeline.Processor.
func (*AuditJoin) Name() string { return "join_auditd" }

type auditKey struct {
	source, host, serial string
	when                 int64
}

type auditGroup struct {
	first *event.Event
	n     int
}

// Process implements pipeline.Processor.
func (*AuditJoin) Process(_ context.Context, events []*event.Event) []*event.Event {
	var groups map[auditKey]*auditGroup
	out := events[:0]
	for _, e := range events {
		if e.GetString("vigil.pipeline") != AuditPipeline {
			out = append(out, e)
			continue
		}
		serial := e.GetString("auditd.sequence")
		if serial == "" {
			out = append(out, e)
			continue
		}
		k := auditKey{source: e.Source, host: e.GetString("host.name"), serial: serial, when: e.Timestamp.UnixNano()}
		if groups == nil {
			groups = map[auditKey]*auditGroup{}
		}
		g := groups[k]
		if g == nil || g.n >= MaxAuditRecords {
			groups[k] = &auditGroup{first: e, n: 1}
			out = append(out, e)
			continue
		}
		joinAudit(g.first, e)
		g.n++
	}
	clear(events[len(out):])
	return out
}

// joinAudit folds record r into the event first.
func joinAudit(first, r *event.Event) {
	for _, f := range r.Fields {
		switch f.Name {
		case "event.category", "event.type":
			first.Set(f.Name, event.List(union(listOf(first, f.Name), f.Value.List())))
		default:
			if !first.Has(f.Name) {
				first.Set(f.Name, f.Value)
			}
		}
	}
	types := listOf(first, "auditd.record_types")
	if len(types) == 0 {
		types = []string{first.GetString("auditd.record_type")}
	}
	first.Set("auditd.record_types", event.List(union(types, []string{r.GetString("auditd.record_type")})))
	if r.Original != "" {
		first.Original += "\n" + r.Original
	}
}

func listOf(e *event.Event, name string) []string {
	v, ok := e.Get(name)
	if !ok {
		return nil
	}
	if v.Kind() == event.KindList {
		return v.List()
	}
	return []string{v.Text()}
}

// union returns a with the items of b it lacks appended, as a new slice.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
