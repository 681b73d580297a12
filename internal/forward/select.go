package forward

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// selector keeps a route's chosen fields. The envelope that identifies an
// event (@timestamp, event.ingested, event.id, tenant, source) is always
// kept, so a receiver can still drop duplicates; event.original only when
// chosen.
type selector struct {
	exact    map[string]bool
	prefixes []string // "winlog.event_data." for "winlog.event_data.*"
}

func newSelector(fields []string) *selector {
	if len(fields) == 0 {
		return nil
	}
	s := &selector{exact: map[string]bool{}}
	for _, f := range fields {
		if p, ok := strings.CutSuffix(f, "*"); ok {
			s.prefixes = append(s.prefixes, p)
			continue
		}
		s.exact[f] = true
	}
	return s
}

func (s *selector) keeps(name string) bool {
	if s.exact[name] {
		return true
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// apply fills dst with the fields of e that s keeps. dst shares values
// with e (strings and lists are not modified by encoders).
func (s *selector) apply(dst, e *event.Event) {
	fields := dst.Fields[:0]
	*dst = event.Event{Timestamp: e.Timestamp, Ingested: e.Ingested, ID: e.ID, Tenant: e.Tenant, Source: e.Source}
	if s.keeps(event.FieldOriginal) {
		dst.Original = e.Original
	}
	for _, f := range e.Fields {
		if s.keeps(f.Name) {
			fields = append(fields, f)
		}
	}
	dst.Fields = fields
}
