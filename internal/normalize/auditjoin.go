package normalize

import (
	"context"
	"slices"
	"sync"

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

// MaxAuditCarried bounds the audit events whose joined fields the join
// keeps between batches (oldest out first). The records of one event are
// written together, so only an event cut by a batch boundary needs its
// entry, and only until its next batch; a few hundred bytes each.
const MaxAuditCarried = 1024

// FieldAuditContinuation marks an event that continues an audit event an
// earlier batch began.
const FieldAuditContinuation = "auditd.continuation"

// AuditJoin joins the records of one Linux audit event. auditd writes an
// event as several lines (SYSCALL, EXECVE, CWD, PATH …, PROCTITLE, EOE)
// that share "msg=audit(TIME:SERIAL)"; the linux.auditd pipeline maps each
// line on its own, and this stage, which runs after the pipelines, folds
// the later records of a serial into the first one: a field the first
// lacks is taken from the later record, event.category and event.type
// gain the later values, and event.original becomes the lines joined by
// newlines, so nothing is lost. Records are keyed by source, host, serial
// and time.
//
// Across batches: the lines of one event are written together, but a
// batch boundary can still cut an event. The stage holds no record back
// (a batch is acknowledged once its events are stored, so a held record
// could be lost), so the records of the later batch become one more
// event, the continuation (auditd.continuation: true): it takes the fields
// of the records the earlier batches stored that it lacks (the SYSCALL's
// process and user, say), and the union of their categories, types and
// record types, so it holds the whole audit event; its event.original
// holds its own lines only. For that the stage keeps the joined fields of
// the last MaxAuditCarried audit events; an event whose EOE record has
// come is complete and is not kept. A later continuation carries the
// earlier ones too. Batches that workers process at the same time join
// in the order they finish: a continuation may then lack what a batch
// still in flight holds, but no record is lost.
type AuditJoin struct {
	mu      sync.Mutex
	carried map[auditKey]*auditCarry
	order   []auditKey // ring of carried's keys, oldest at next
	next    int
}

// auditCarry is what a later batch needs of an audit event: the fields
// joined so far and the number of records.
type auditCarry struct {
	fields []event.Field
	n      int
}

// NewAuditJoin returns the audit record join stage.
func NewAuditJoin() *AuditJoin {
	return &AuditJoin{carried: map[auditKey]*auditCarry{}}
}

// Name implements pipeline.Processor.
func (*AuditJoin) Name() string { return "join_auditd" }

type auditKey struct {
	source, host, serial string
	when                 int64
}

type auditGroup struct {
	key   auditKey
	first *event.Event
	n     int
}

// Process implements pipeline.Processor.
func (a *AuditJoin) Process(_ context.Context, events []*event.Event) []*event.Event {
	var groups map[auditKey]*auditGroup
	var order []*auditGroup
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
			g = &auditGroup{key: k, first: e, n: 1}
			if prev := groups[k]; prev == nil {
				if c := a.carriedFor(k); c != nil && c.n < MaxAuditRecords {
					continueAudit(e, c)
					g.n = c.n + 1
				}
			}
			groups[k] = g
			order = append(order, g)
			out = append(out, e)
			continue
		}
		joinAudit(g.first, e)
		g.n++
	}
	clear(events[len(out):])
	a.carry(order)
	return out
}

// carriedFor returns what earlier batches left of the event k.
func (a *AuditJoin) carriedFor(k auditKey) *auditCarry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.carried[k]
}

// carry keeps the joined fields of this batch's audit events for the
// next batches; a complete event (its EOE came) is dropped instead.
func (a *AuditJoin) carry(groups []*auditGroup) {
	if len(groups) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, g := range groups {
		if slices.Contains(auditTypes(g.first), "EOE") {
			delete(a.carried, g.key)
			continue
		}
		c := &auditCarry{fields: slices.Clone(g.first.Fields), n: g.n}
		if _, ok := a.carried[g.key]; ok {
			a.carried[g.key] = c
			continue
		}
		if len(a.order) < MaxAuditCarried {
			a.order = append(a.order, g.key)
		} else {
			delete(a.carried, a.order[a.next])
			a.order[a.next] = g.key
			a.next = (a.next + 1) % MaxAuditCarried
		}
		a.carried[g.key] = c
	}
}

// Carried returns how many audit events the join keeps for later batches.
func (a *AuditJoin) Carried() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.carried)
}

// continueAudit gives the first record of a later batch what the earlier
// batches joined: the fields it lacks, the union of the categories, types
// and record types.
func continueAudit(e *event.Event, c *auditCarry) {
	earlier := &event.Event{Fields: c.fields}
	types := auditTypes(earlier)
	own := e.GetString("auditd.record_type")
	for _, f := range c.fields {
		switch f.Name {
		case "event.category", "event.type":
			e.Set(f.Name, event.List(union(earlier.GetList(f.Name), e.GetList(f.Name))))
		case "auditd.record_types", "auditd.record_type", FieldAuditContinuation:
		default:
			if !e.Has(f.Name) {
				e.Set(f.Name, f.Value)
			}
		}
	}
	e.Set("auditd.record_types", event.List(union(types, []string{own})))
	e.Set(FieldAuditContinuation, event.Bool(true))
}

// auditTypes returns the record types joined in e.
func auditTypes(e *event.Event) []string {
	if types := e.GetList("auditd.record_types"); len(types) > 0 {
		return types
	}
	if t := e.GetString("auditd.record_type"); t != "" {
		return []string{t}
	}
	return nil
}

// joinAudit folds record r into the event first.
func joinAudit(first, r *event.Event) {
	for _, f := range r.Fields {
		switch f.Name {
		case "event.category", "event.type":
			first.Set(f.Name, event.List(union(first.GetList(f.Name), f.Value.List())))
		default:
			if !first.Has(f.Name) {
				first.Set(f.Name, f.Value)
			}
		}
	}
	types := auditTypes(first)
	first.Set("auditd.record_types", event.List(union(types, []string{r.GetString("auditd.record_type")})))
	if r.Original != "" {
		first.Original += "\n" + r.Original
	}
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
