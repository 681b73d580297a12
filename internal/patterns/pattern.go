package patterns

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/zeebo/xxh3"
)

// Pattern is one template with its statistics.
type Pattern struct {
	// ID is derived from Template: see IDOf.
	ID string
	// Template is the message with its variable words as Wildcard.
	Template string
	// Name is what an analyst called the pattern ("" until named).
	Name string
	// Count is how many messages joined the pattern.
	Count int64
	// FirstSeen and LastSeen are event times.
	FirstSeen, LastSeen time.Time
	// Example is the message that created the pattern (cut to 512 bytes).
	Example string
	// Samples are the ids of the latest events, newest last.
	Samples []string
	// Hours are counts per hour of event time, oldest first, at most
	// maxHours.
	Hours []HourCount
	// Former are the ids the pattern had before its template widened
	// (events stored earlier carry them), oldest first, at most maxFormer.
	Former []string

	tokens     []string
	leaf       *node
	tick       uint64 // the miner's clock when last seen
	prev, next *Pattern
	// into is the pattern p was folded into, if any.
	into *Pattern
}

// HourCount is the number of events of one hour.
type HourCount struct {
	Hour  time.Time `json:"hour"`
	Count int64     `json:"count"`
}

// IDOf returns the id of a template: "p" and 16 hex digits of its XXH3
// hash. The same template has the same id on every node and after every
// restart.
func IDOf(template string) string {
	var b [17]byte
	b[0] = 'p'
	h := xxh3.HashString(template)
	var raw [8]byte
	for i := range raw {
		raw[i] = byte(h >> (56 - 8*i))
	}
	hex.Encode(b[1:], raw[:])
	return string(b[:])
}

// generalise turns the words of the template that differ from toks into
// wildcards and reports whether the template changed.
func (p *Pattern) generalise(toks []string) bool {
	changed := false
	for i, t := range p.tokens {
		if t != Wildcard && t != toks[i] {
			p.tokens[i] = Wildcard
			changed = true
		}
	}
	return changed
}

// observe counts one event of time t with id into the pattern.
func (p *Pattern) observe(t time.Time, id string) {
	p.Count++
	if p.FirstSeen.IsZero() || t.Before(p.FirstSeen) {
		p.FirstSeen = t
	}
	if t.After(p.LastSeen) {
		p.LastSeen = t
	}
	if id != "" {
		if len(p.Samples) == maxSamples {
			copy(p.Samples, p.Samples[1:])
			p.Samples[maxSamples-1] = id
		} else {
			p.Samples = append(p.Samples, id)
		}
	}
	p.addHour(t.Truncate(time.Hour), 1)
}

func (p *Pattern) addHour(h time.Time, n int64) {
	for i := len(p.Hours) - 1; i >= 0; i-- {
		switch c := p.Hours[i].Hour; {
		case c.Equal(h):
			p.Hours[i].Count += n
			return
		case c.Before(h):
			p.insertHour(i+1, h, n)
			return
		}
	}
	p.insertHour(0, h, n)
}

func (p *Pattern) insertHour(i int, h time.Time, n int64) {
	if len(p.Hours) == maxHours {
		if i == 0 {
			return // older than every hour kept
		}
		copy(p.Hours, p.Hours[1:i])
		p.Hours[i-1] = HourCount{Hour: h, Count: n}
		return
	}
	p.Hours = append(p.Hours, HourCount{})
	copy(p.Hours[i+1:], p.Hours[i:])
	p.Hours[i] = HourCount{Hour: h, Count: n}
}

// Current follows p to the pattern it was folded into, if it was.
func (p *Pattern) Current() *Pattern {
	for p.into != nil {
		p = p.into
	}
	return p
}

// addFormer remembers a former id of p.
func (p *Pattern) addFormer(id string) {
	for _, f := range p.Former {
		if f == id {
			return
		}
	}
	if len(p.Former) == maxFormer {
		copy(p.Former, p.Former[1:])
		p.Former = p.Former[:maxFormer-1]
	}
	p.Former = append(p.Former, id)
}

// absorb folds the statistics of o, which came to share p's template, into p.
func (p *Pattern) absorb(o *Pattern) {
	p.Count += o.Count
	if !o.FirstSeen.IsZero() && (p.FirstSeen.IsZero() || o.FirstSeen.Before(p.FirstSeen)) {
		p.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(p.LastSeen) {
		p.LastSeen = o.LastSeen
	}
	if p.Name == "" {
		p.Name = o.Name
	}
	for _, h := range o.Hours {
		p.addHour(h.Hour, h.Count)
	}
	p.addFormer(o.ID)
	for _, f := range o.Former {
		p.addFormer(f)
	}
	for _, s := range o.Samples {
		if len(p.Samples) < maxSamples {
			p.Samples = append(p.Samples, s)
		}
	}
}

// joinLookup joins toks as a template would be, for a map lookup.
func joinLookup(toks []string) string { return strings.Join(toks, " ") }

// lruList is an intrusive list of patterns, most recently seen first.
type lruList struct{ head Pattern }

func (l *lruList) init() { l.head.next, l.head.prev = &l.head, &l.head }

func (l *lruList) pushFront(p *Pattern) {
	p.prev, p.next = &l.head, l.head.next
	l.head.next.prev = p
	l.head.next = p
}

func (l *lruList) unlink(p *Pattern) {
	if p.prev == nil {
		return
	}
	p.prev.next, p.next.prev = p.next, p.prev
	p.prev, p.next = nil, nil
}

func (l *lruList) touch(p *Pattern) {
	if l.head.next == p {
		return
	}
	l.unlink(p)
	l.pushFront(p)
}

func (l *lruList) oldest() *Pattern {
	if l.head.prev == &l.head {
		return nil
	}
	return l.head.prev
}
