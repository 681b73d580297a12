package normalize

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Cisco ISE sends a message longer than its remote target's limit as
// segments, each a syslog record with the same header: the category as
// the TAG, the message id, the total of segments and the segment's number
// ("CISE_Passed_Authentications 0000412345 3 1 …"). Segment 0 holds the
// local store header (time, sequence, code, severity, class, text) and the
// first attribute=value pairs; the later ones only more pairs, split
// between pairs (in rare cases within one long value). ISEJoin joins the
// segments of one message before the pipelines, so the cisco.ise pipeline
// maps the whole message: the user, addresses and result are often in a
// later segment.

// Bounds of the ISE segment join.
const (
	// MaxISESegments bounds a message's segments: ISE's targets take 1 to
	// 8 KiB a segment, its longest messages (RADIUS with many AV pairs)
	// a few dozen. A header claiming more is passed on unjoined.
	MaxISESegments = 64
	// MaxISEPending bounds the messages whose segments are kept between
	// batches (oldest out first); each holds at most MaxISESegments
	// records' text.
	MaxISEPending = 1024
	// ISESegmentWait is how long the segments of a message are kept
	// waiting for the rest, from when the stage saw the first: ISE sends
	// them together, so a message still incomplete after it will not be.
	ISESegmentWait = 2 * time.Minute
)

// FieldISEContinuation marks a joined ISE message whose first segments
// came in an earlier batch (and were stored on their own then).
const FieldISEContinuation = "cisco.ise.continuation"

// ISEJoin joins Cisco ISE message segments. Within a batch, a message
// whose segments are all there becomes one event: segment 0's event, its
// event.original the segments' text joined (segment 0's record, then each
// later segment's pairs, separated by a space), the later segments' events
// dropped (their text is in it). A message still incomplete at the end of
// a batch passes through segment by segment, as the pipeline maps each on
// its own, and its segments' text is kept (no record is held back: a batch
// is acknowledged once stored); when the last one comes in a later batch,
// its event becomes the whole message, marked cisco.ise.continuation.
type ISEJoin struct {
	mu      sync.Mutex
	pending map[iseKey]*iseMessage
	order   []iseSlot // ring of the pending messages, oldest at next
	next    int
	now     func() time.Time
}

type iseSlot struct {
	k iseKey
	m *iseMessage
}

type iseKey struct {
	source, host, category, id string
}

// iseMessage is what has come of one message: each segment's text (segment
// 0's whole record, a later one's pairs), and when the first came.
type iseMessage struct {
	segs  []string
	have  int
	first time.Time
}

// NewISEJoin returns the ISE segment join stage.
func NewISEJoin() *ISEJoin {
	return &ISEJoin{pending: map[iseKey]*iseMessage{}, now: time.Now}
}

// Name implements pipeline.Processor.
func (*ISEJoin) Name() string { return "join_cisco_ise" }

// iseSegment is a record's segment header.
type iseSegment struct {
	key        iseKey
	total, seq int
	rest       string // the text after the header
}

// parseISESegment reads the segment header of an ISE record: the TAG
// (process.name, "CISE_…") and the three numbers after it in the original.
func parseISESegment(e *event.Event) (iseSegment, bool) {
	prog := e.GetString("process.name")
	if !strings.HasPrefix(prog, "CISE_") {
		return iseSegment{}, false
	}
	s := e.Original
	i := strings.Index(s, prog+" ")
	if i < 0 {
		return iseSegment{}, false
	}
	s = s[i+len(prog)+1:]
	var nums [3]string
	for n := range nums {
		j := 0
		for j < len(s) && j < 10 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 || j >= len(s) || s[j] != ' ' {
			return iseSegment{}, false
		}
		nums[n], s = s[:j], s[j+1:]
	}
	total, err1 := strconv.Atoi(nums[1])
	seq, err2 := strconv.Atoi(nums[2])
	if err1 != nil || err2 != nil || total < 2 || total > MaxISESegments || seq >= total {
		return iseSegment{}, false
	}
	return iseSegment{
		key:   iseKey{source: e.Source, host: e.GetString("host.name"), category: prog, id: nums[0]},
		total: total, seq: seq, rest: s,
	}, true
}

// Process implements pipeline.Processor.
func (j *ISEJoin) Process(_ context.Context, events []*event.Event) []*event.Event {
	type member struct {
		e   *event.Event
		seg iseSegment
	}
	var batch map[iseKey][]member
	var keys []iseKey
	for _, e := range events {
		seg, ok := parseISESegment(e)
		if !ok {
			continue
		}
		if batch == nil {
			batch = map[iseKey][]member{}
		}
		if _, seen := batch[seg.key]; !seen {
			keys = append(keys, seg.key)
		}
		batch[seg.key] = append(batch[seg.key], member{e, seg})
	}
	if batch == nil {
		return events
	}
	drop := map[*event.Event]bool{}
	j.mu.Lock()
	now := j.now()
	for _, k := range keys {
		ms := batch[k]
		m := j.pending[k]
		if m != nil && (len(m.segs) != ms[0].seg.total || now.Sub(m.first) > ISESegmentWait) {
			j.forget(k)
			m = nil
		}
		carried := m != nil
		if m == nil {
			m = &iseMessage{segs: make([]string, ms[0].seg.total), first: now}
		}
		var first *event.Event
		var used []*event.Event
		for _, mb := range ms {
			if mb.seg.total != len(m.segs) || m.segs[mb.seg.seq] != "" {
				continue // another total, or a segment seen before: left alone
			}
			used = append(used, mb.e)
			text := mb.seg.rest
			if mb.seg.seq == 0 {
				text = mb.e.Original
				first = mb.e
			}
			m.segs[mb.seg.seq] = text
			m.have++
		}
		if m.have < len(m.segs) {
			if !carried {
				j.keep(k, m)
			}
			continue
		}
		// Complete: segment 0's event, or (it was stored before) the
		// batch's last segment, becomes the whole message.
		into := first
		if into == nil {
			into = used[len(used)-1]
			into.Set(FieldISEContinuation, event.Bool(true))
		}
		into.Original = joinSegments(m.segs)
		for _, e := range used {
			if e != into {
				drop[e] = true
			}
		}
		if carried {
			j.forget(k)
		}
	}
	j.mu.Unlock()
	if len(drop) == 0 {
		return events
	}
	out := events[:0]
	for _, e := range events {
		if !drop[e] {
			out = append(out, e)
		}
	}
	clear(events[len(out):])
	return out
}

// joinSegments joins segment 0's record and the later segments' pairs.
func joinSegments(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		s = strings.TrimRight(s, " \r\n")
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

// keep adds a message to the pending ones, the oldest out when full.
// j.mu is held.
func (j *ISEJoin) keep(k iseKey, m *iseMessage) {
	if len(j.order) < MaxISEPending {
		j.order = append(j.order, iseSlot{k, m})
	} else {
		if old := j.order[j.next]; j.pending[old.k] == old.m {
			delete(j.pending, old.k)
		}
		j.order[j.next] = iseSlot{k, m}
		j.next = (j.next + 1) % MaxISEPending
	}
	j.pending[k] = m
}

// forget removes a pending message; its slot in the ring stays until
// reused (it then removes nothing: the slot's message is not pending).
// j.mu is held.
func (j *ISEJoin) forget(k iseKey) {
	delete(j.pending, k)
}

// Pending returns how many incomplete messages the join keeps.
func (j *ISEJoin) Pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.pending)
}
