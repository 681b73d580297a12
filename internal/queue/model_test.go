package queue

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The model-based test: random sequences of append, read, ack, rewind,
// sync, clean reopen, kill -9 and power loss (with torn writes) run against
// the queue on memFS and against a simple in-memory model of what the
// queue must hold. After every step the queue's answers must match the
// model; after a crash they must match what the model allows: every record
// made durable survives, what survives is a prefix of whole batches, and
// delivery resumes at an acknowledgement at least as recent as the last
// durable one.

// choices feeds the model: random (fixed seeds) or a fuzzer's bytes.
type choices interface {
	// intn returns a choice in [0, n).
	intn(n int) int
	// done reports that a fuzzer's input is used up.
	done() bool
}

type rngChoices struct{ r *rand.Rand }

func (c rngChoices) intn(n int) int { return c.r.IntN(n) }
func (c rngChoices) done() bool     { return false }

type byteChoices struct {
	b []byte
	i int
}

func (c *byteChoices) intn(n int) int {
	if c.i >= len(c.b) {
		return 0
	}
	v := int(c.b[c.i])
	c.i++
	if n > 256 && c.i < len(c.b) {
		v = v<<8 | int(c.b[c.i])
		c.i++
	}
	return v % n
}

func (c *byteChoices) done() bool { return c.i >= len(c.b) }

type model struct {
	t    testing.TB
	c    choices
	rng  *rand.Rand // tears writes at a crash
	fsys *memFS
	opts Options
	q    *Queue
	log  []string // the steps, printed on failure

	data     map[uint64][]byte // live records by sequence number
	ends     map[uint64]bool   // sequence numbers that end a batch
	lastSeq  uint64
	durable  uint64 // every record up to it survives any crash
	acked    uint64
	ackLo    uint64 // the oldest acknowledgement a crash may fall back to
	next     uint64 // the reader's next record is the first live one at or above
	lastRead uint64
}

func newModel(t testing.TB, c choices, rng *rand.Rand) *model {
	m := &model{t: t, c: c, rng: rng, fsys: newMemFS(), data: map[uint64][]byte{}, ends: map[uint64]bool{}, next: 1}
	m.opts = testOptions(m.fsys)
	m.opts.Sync = []SyncPolicy{SyncBatch, SyncInterval, SyncNever}[c.intn(3)]
	m.opts.SegmentBytes = int64(1024 + c.intn(8)*1024)
	m.opts.MaxBytes, m.opts.MaxAge = -1, -1
	m.logf("open: sync %v, segments of %d bytes", m.opts.Sync, m.opts.SegmentBytes)
	m.open()
	return m
}

func (m *model) logf(format string, args ...any) { m.log = append(m.log, fmt.Sprintf(format, args...)) }

func (m *model) fatalf(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("%s\nsteps:\n  %s", fmt.Sprintf(format, args...), joinLines(m.log))
}

func joinLines(l []string) string {
	if len(l) > 60 {
		l = append([]string{fmt.Sprintf("... %d earlier steps", len(l)-60)}, l[len(l)-60:]...)
	}
	return strings.Join(l, "\n  ")
}

func (m *model) open() {
	q, err := Open("/q", m.opts, nil)
	if err != nil {
		m.fatalf("open: %v", err)
	}
	m.q = q
}

// live returns the live sequence numbers in (from, to], in order.
func (m *model) live(from, to uint64) []uint64 {
	var out []uint64
	for s := range m.data {
		if s > from && s <= to {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func (m *model) step() {
	switch op := m.c.intn(20); {
	case op < 7:
		m.append()
	case op < 12:
		m.read()
	case op < 15:
		m.ack()
	case op < 16:
		m.logf("rewind")
		if err := m.q.Rewind(); err != nil {
			m.fatalf("rewind: %v", err)
		}
		m.next, m.lastRead = m.acked+1, m.acked
	case op < 17:
		m.logf("sync")
		if err := m.q.Sync(); err != nil {
			m.fatalf("sync: %v", err)
		}
		m.durable, m.ackLo = m.lastSeq, m.acked
		m.forget()
	case op < 18:
		m.logf("close and reopen")
		if err := m.q.Close(); err != nil {
			m.fatalf("close: %v", err)
		}
		m.open()
		m.durable, m.ackLo = m.lastSeq, m.acked
		m.forget()
		m.next, m.lastRead = m.acked+1, m.acked
	case op < 19:
		m.logf("kill -9 and reopen")
		m.q.abandon()
		m.fsys.killProcess()
		m.open()
		if st := m.q.Status(); st.Torn != 0 || st.Acked != m.acked || st.LastSeq != m.lastSeq {
			m.fatalf("after kill: torn %d, acked %d (want %d), last %d (want %d)", st.Torn, st.Acked, m.acked, st.LastSeq, m.lastSeq)
		}
		m.next, m.lastRead = m.acked+1, m.acked
	default:
		m.crash()
	}
	m.check()
}

func (m *model) append() {
	n := 1 + m.c.intn(8)
	batch := make([][]byte, n)
	for i := range batch {
		size := m.c.intn(300)
		if m.c.intn(16) == 0 {
			size = 3000
		}
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(m.lastSeq) + byte(i) + byte(j)
		}
		batch[i] = b
	}
	last, err := m.q.Append(batch)
	m.logf("append %d → %d", n, last)
	if err != nil {
		m.fatalf("append: %v", err)
	}
	if last != m.lastSeq+uint64(n) {
		m.fatalf("append of %d after %d returned %d", n, m.lastSeq, last)
	}
	for i, b := range batch {
		m.data[m.lastSeq+1+uint64(i)] = b
	}
	m.lastSeq = last
	m.ends[last] = true
	if m.opts.Sync == SyncBatch {
		m.durable = last
	}
}

func (m *model) read() {
	maxR, maxB := 1+m.c.intn(20), 1+m.c.intn(4000)
	got, err := m.q.TryRead(maxR, maxB)
	m.logf("read ≤%d records ≤%d bytes → %d", maxR, maxB, len(got))
	if err != nil {
		m.fatalf("read: %v", err)
	}
	want := m.live(m.next-1, m.lastSeq)
	if len(want) > 0 && len(got) == 0 {
		m.fatalf("read nothing; %d records from %d are due", len(want), want[0])
	}
	if len(got) > maxR || len(got) > len(want) {
		m.fatalf("read %d records, limit %d, %d due", len(got), maxR, len(want))
	}
	bytesBefore := 0
	for i, r := range got {
		if r.Seq != want[i] || !bytes.Equal(r.Data, m.data[r.Seq]) || r.Tenant != "acme" {
			m.fatalf("read record %d: seq %d (%d bytes), want seq %d (%d bytes)", i, r.Seq, len(r.Data), want[i], len(m.data[want[i]]))
		}
		if i > 0 && bytesBefore >= maxB {
			m.fatalf("read past the byte limit %d", maxB)
		}
		bytesBefore += len(r.Data)
	}
	if len(got) > 0 {
		m.lastRead = got[len(got)-1].Seq
		m.next = m.lastRead + 1
	}
}

func (m *model) ack() {
	cand := m.live(m.acked, m.lastRead)
	if len(cand) == 0 {
		return
	}
	seq := cand[m.c.intn(len(cand))]
	m.logf("ack %d", seq)
	if err := m.q.Ack(seq); err != nil {
		m.fatalf("ack %d: %v", seq, err)
	}
	m.acked = seq
}

// forget drops from the model the records no crash can bring back.
func (m *model) forget() {
	for _, s := range m.live(0, m.ackLo) {
		delete(m.data, s)
	}
}

func (m *model) crash() {
	m.logf("power loss and reopen")
	m.q.abandon()
	m.fsys.crash(m.rng, true)
	m.open()
	st := m.q.Status()
	a, l := st.Acked, st.LastSeq
	m.logf("  recovered: acked %d, last %d, torn %d", a, l, st.Torn)
	if a < m.ackLo || a > m.acked {
		m.fatalf("after a crash the ledger says %d, want within [%d, %d]", a, m.ackLo, m.acked)
	}
	if l < m.durable || l > m.lastSeq || (l > a && !m.ends[l] && l != 0) {
		m.fatalf("after a crash the last record is %d; durable %d, appended %d, batch end %v", l, m.durable, m.lastSeq, m.ends[l])
	}
	got := drain(m.t, m.q)
	// Records between the recovered ledger and the first delivered one may
	// be gone only if they were acknowledged before the crash (their
	// segment was deleted).
	first := l + 1
	if len(got) > 0 {
		first = got[0].Seq
	}
	for _, s := range m.live(a, first-1) {
		if s > m.acked {
			m.fatalf("record %d lost in the crash (recovered ack %d, first delivered %d, acked before %d)", s, a, first, m.acked)
		}
	}
	want := m.live(first-1, l)
	if len(got) != len(want) {
		m.fatalf("after a crash %d records delivered from %d, want %d", len(got), first, len(want))
	}
	for i, r := range got {
		if r.Seq != want[i] || !bytes.Equal(r.Data, m.data[r.Seq]) {
			m.fatalf("after a crash record %d is seq %d, want %d", i, r.Seq, want[i])
		}
	}
	for s := range m.data {
		if s <= a || s < first || s > l {
			delete(m.data, s)
		}
	}
	for s := range m.ends {
		if s > l {
			delete(m.ends, s)
		}
	}
	m.lastSeq, m.durable = l, l
	// What a crash left is all durable now (recovery syncs what it cuts).
	m.acked, m.ackLo = a, a
	m.forget()
	m.lastRead, m.next = a, l+1
	if len(got) > 0 {
		m.lastRead = got[len(got)-1].Seq
	}
}

// check compares the queue's status with the model after every step.
func (m *model) check() {
	st := m.q.Status()
	undelivered := uint64(len(m.live(m.acked, m.lastSeq)))
	if st.Records != undelivered || st.Acked != m.acked || st.LastSeq != m.lastSeq {
		m.fatalf("status: %d records, acked %d, last %d; model: %d, %d, %d", st.Records, st.Acked, st.LastSeq, undelivered, m.acked, m.lastSeq)
	}
	if st.Corrupt != 0 || st.Dropped != 0 || st.Err != "" {
		m.fatalf("status: %+v", st)
	}
	if m.acked == m.lastSeq && st.Segments != 1 {
		m.fatalf("everything acknowledged but %d segments kept", st.Segments)
	}
}

func runModel(t testing.TB, c choices, rng *rand.Rand, steps int) {
	m := newModel(t, c, rng)
	for i := 0; i < steps && !c.done(); i++ {
		m.step()
	}
	if err := m.q.Close(); err != nil {
		m.fatalf("close: %v", err)
	}
}

func TestModel(t *testing.T) {
	seeds, steps := 40, 400
	if testing.Short() {
		seeds = 8
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			runModel(t, rngChoices{rng}, rand.New(rand.NewPCG(seed, 1)), steps)
		})
	}
}

// FuzzModel drives the same model with the fuzzer's bytes as the choices.
func FuzzModel(f *testing.F) {
	f.Add([]byte{0, 1, 0, 3, 0, 5, 7, 9, 11, 13, 19, 0, 2, 8, 10, 18})
	f.Add([]byte{1, 7, 0, 0, 0, 0, 19, 9, 9, 12, 19, 17, 0, 4, 10})
	f.Add([]byte{2, 0, 0, 200, 0, 3, 5, 6, 16, 19, 10, 12})
	f.Fuzz(func(t *testing.T, in []byte) {
		h := fnv.New64a()
		h.Write(in)
		runModel(t, &byteChoices{b: in}, rand.New(rand.NewPCG(h.Sum64(), 2)), 200)
	})
}
