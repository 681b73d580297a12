package correlate

import (
	"net/netip"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// Field is one named value a hit carries.
type Field struct {
	Name, Value string
}

// Hit is one event that matched a rule some correlation references (or,
// inside the engine, one firing of a chained correlation), reduced to what
// the correlations read: it holds no *event.Event, so hits can be logged,
// sorted and replayed.
type Hit struct {
	// Rule is the Ref of the matched rule.
	Rule   string
	Tenant string
	// Time is the event time, Unix nanoseconds.
	Time int64
	// ID is the event id (for a chained hit, the alert id of the firing).
	ID string
	// Fields are the values of the fields the correlations read from the
	// rule's events, by the names the correlations use.
	Fields []Field

	// eventIDs are a chained hit's contributing events.
	eventIDs []string
	chained  bool
}

func (h *Hit) get(name string) (string, bool) {
	for _, f := range h.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Firing is a correlation that matched, or (Update) a hit folded into the
// alert of an earlier firing of the same group.
type Firing struct {
	Corr   *Corr
	Tenant string
	// ID is the alert id: stable for the correlation, group and window.
	ID string
	// Group holds the group-by values.
	Group       []Field
	First, Last time.Time
	// Value is what the condition measured: events, distinct values or
	// rules seen.
	Value int64
	// Count is Value plus the hits folded in since.
	Count int64
	// EventIDs are the contributing events (at most alert.MaxEventIDs);
	// AlertIDs the contributing alerts of chained correlations.
	EventIDs, AlertIDs []string
	// Update: the alert was raised before; this is its new state.
	Update bool
}

// entityKind is what a group-by value names.
type entityKind uint8

const (
	kindNone entityKind = iota
	kindHost
	kindUser
	kindSourceIP
	kindDestinationIP
)

// classify guesses what a group-by field holds from its names (the
// group-by name and the fields it reads per referenced rule: ECS names,
// Windows names, aliases).
func classify(names []string) entityKind {
	for _, n := range names {
		l := strings.ToLower(n)
		switch {
		case strings.Contains(l, "user") || strings.Contains(l, "account") || strings.HasSuffix(l, "logonname"):
			return kindUser
		case strings.Contains(l, "host") || strings.Contains(l, "computer") || strings.Contains(l, "workstation") ||
			strings.Contains(l, "machine") || l == "device.name":
			return kindHost
		case strings.Contains(l, "dest") || strings.Contains(l, "dst") || strings.HasPrefix(l, "server."):
			if strings.Contains(l, "ip") || strings.Contains(l, "addr") {
				return kindDestinationIP
			}
		case strings.Contains(l, "ip") || strings.Contains(l, "addr") || strings.HasPrefix(l, "src") ||
			strings.HasPrefix(l, "source") || strings.HasPrefix(l, "client."):
			return kindSourceIP
		}
	}
	return kindNone
}

// Entities returns the group-by values of a firing that name hosts, users
// and addresses, for alert.Entities.
func (f *Firing) Entities() alert.Entities {
	var en alert.Entities
	add := func(list *[]string, v string) {
		for _, x := range *list {
			if x == v {
				return
			}
		}
		*list = append(*list, v)
	}
	for i, g := range f.Group {
		if i >= len(f.Corr.kinds) || g.Value == "" || g.Value == "-" {
			continue
		}
		switch f.Corr.kinds[i] {
		case kindUser:
			add(&en.Users, g.Value)
		case kindHost:
			add(&en.Hosts, g.Value)
		case kindSourceIP, kindDestinationIP:
			a, err := netip.ParseAddr(g.Value)
			if err != nil {
				continue
			}
			if f.Corr.kinds[i] == kindSourceIP {
				add(&en.SourceIPs, a.Unmap().String())
			} else {
				add(&en.DestinationIPs, a.Unmap().String())
			}
		}
	}
	return en
}
