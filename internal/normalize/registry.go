package normalize

import (
	"sort"

	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Phase is where a normaliser runs relative to the declarative pipelines
// (internal/normalize/ingest).
type Phase int

// Phases, in the order events pass them.
const (
	// BeforePipelines: the vendor normalisers written in Go (Windows,
	// Cisco ASA, web access logs, Linux auth log), so the pipelines see
	// their ECS fields.
	BeforePipelines Phase = iota
	// AfterPipelines: what works on whatever the vendors and pipelines
	// left — the join of multi-line audit records, then the common fields
	// (src=, user=, structured data …) for what neither mapped.
	AfterPipelines
)

// Normalizer is what a normaliser package registers.
type Normalizer struct {
	// Name is the normaliser's name (its processor's Name, without the
	// "normalize_" prefix): it orders normalisers of equal Order.
	Name string
	// Phase places it before or after the declarative pipelines.
	Phase Phase
	// Order places it within its phase, lowest first. Vendors recognise
	// disjoint events, so their order matters only for speed (the most
	// common first); the after-pipeline steps depend on it.
	Order int
	// New builds the processor. Each call returns a fresh one: a
	// normaliser may keep state across events (Cisco ASA remembers
	// outbound connections), and serve, `vigil parse` and `vigil hunt`
	// each build their own.
	New func() pipeline.Processor
}

// registered holds the normalisers; Register is called from init functions
// only, so it is written before any reader runs.
var registered []Normalizer

// Register makes a normaliser known. Normaliser packages call it from init;
// internal/normalize/all imports every one. It panics on a second
// registration of a name or a Normalizer without New.
func Register(n Normalizer) {
	if n.New == nil {
		panic("normalize: " + n.Name + " registered without New")
	}
	for _, r := range registered {
		if r.Name == n.Name {
			panic("normalize: " + n.Name + " registered twice")
		}
	}
	registered = append(registered, n)
}

// Processors builds the registered normalisers of phase, in order.
func Processors(phase Phase) []pipeline.Processor {
	var ns []Normalizer
	for _, n := range registered {
		if n.Phase == phase {
			ns = append(ns, n)
		}
	}
	sort.Slice(ns, func(i, j int) bool {
		if ns[i].Order != ns[j].Order {
			return ns[i].Order < ns[j].Order
		}
		return ns[i].Name < ns[j].Name
	})
	ps := make([]pipeline.Processor, len(ns))
	for i, n := range ns {
		ps[i] = n.New()
	}
	return ps
}

// The normalisers of this package: the ISE segment join before the
// pipelines (the cisco.ise pipeline maps the joined message); after them
// the audit join first, so the common fields see joined records.
func init() {
	Register(Normalizer{Name: "join_cisco_ise", Phase: BeforePipelines, Order: 5, New: func() pipeline.Processor { return NewISEJoin() }})
	Register(Normalizer{Name: "join_auditd", Phase: AfterPipelines, Order: 10, New: func() pipeline.Processor { return NewAuditJoin() }})
	Register(Normalizer{Name: "common_fields", Phase: AfterPipelines, Order: 20, New: func() pipeline.Processor { return NewCommonFields() }})
}
