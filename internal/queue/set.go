package queue

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
)

// Limits override the age and byte limits for one tenant.
type Limits struct {
	MaxAge   time.Duration
	MaxBytes int64
}

// SetOptions configure a Set: Options apply to every tenant's queue (their
// Tenant is set per queue), Tenants override the limits of some.
type SetOptions struct {
	Options
	Tenants map[string]Limits
}

// Set is the durable queue of one output: one Queue per tenant, each in
// its own directory under the set's (the tenant's name, escaped), read by
// one reader in turn.
//
// One queue per output and tenant, rather than one per output with records
// tagged by tenant, because the limits are per tenant and are enforced by
// dropping whole segments: in a shared queue, a segment holds every
// tenant's records, so a busy tenant reaching its limit would drop a quiet
// tenant's data with its own. Per-tenant queues also keep one tenant's
// backlog from delaying another's delivery: Read takes the tenants in turn.
type Set struct {
	dir  string
	opts SetOptions
	reg  prometheus.Registerer

	mu     sync.Mutex
	queues map[string]*Queue
	order  []string // tenants, sorted: the reader's round
	next   int      // index in order where the next Read starts (modulo its length)
	closed bool

	signal  chan struct{} // capacity 1: some queue committed records
	closing chan struct{}
	waiting atomic.Int32 // Reads waiting for records; tests wait on it
}

// OpenSet opens the set in dir and every tenant queue already in it.
func OpenSet(dir string, opts SetOptions, reg prometheus.Registerer) (*Set, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, fmt.Errorf("open queue set %s: %w", dir, err)
	}
	s := &Set{dir: dir, opts: opts, reg: reg, queues: map[string]*Queue{},
		signal: make(chan struct{}, 1), closing: make(chan struct{})}
	if err := opts.FS.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open queue set %s: %w", dir, err)
	}
	names, err := opts.FS.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open queue set %s: %w", dir, err)
	}
	for _, n := range names {
		tenant, ok := tenantFromDir(n)
		if !ok {
			continue
		}
		// Tenants already on disk are opened whatever their name: their
		// records were accepted and must be delivered.
		if _, err := s.open(tenant); err != nil {
			s.Close()
			return nil, fmt.Errorf("open queue set %s: %w", dir, err)
		}
	}
	return s, nil
}

// Queue returns the tenant's queue, opening it the first time. A tenant
// that is not a valid name (event.ValidTenant) gets no queue: it would name
// a directory, and one that cannot be made (a 300-character name) must fail
// here, before anything is appended, not in the middle of delivery.
func (s *Set) Queue(tenant string) (*Queue, error) {
	if err := event.ValidTenant(tenant); err != nil {
		return nil, fmt.Errorf("queue set: %w", err)
	}
	return s.open(tenant)
}

func (s *Set) open(tenant string) (*Queue, error) {
	if tenant == "" {
		return nil, errors.New("queue set: empty tenant")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if q, ok := s.queues[tenant]; ok {
		return q, nil
	}
	o := s.opts.Options
	o.Tenant = tenant
	if l, ok := s.opts.Tenants[tenant]; ok {
		if l.MaxAge != 0 {
			o.MaxAge = l.MaxAge
		}
		if l.MaxBytes != 0 {
			// Open caps SegmentBytes at a quarter of this limit.
			o.MaxBytes = l.MaxBytes
		}
	}
	q, err := Open(join(s.dir, tenantDir(tenant)), o, s.reg)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	q.onCommit = s.wake
	q.mu.Unlock()
	s.queues[tenant] = q
	s.order = append(s.order, tenant)
	sort.Strings(s.order)
	s.wake()
	return q, nil
}

func (s *Set) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// Append appends records to the tenant's queue (see Queue.Append).
func (s *Set) Append(tenant string, records [][]byte) (uint64, error) {
	q, err := s.Queue(tenant)
	if err != nil {
		return 0, err
	}
	return q.Append(records)
}

// Read returns the next records of one tenant (Record.Tenant), taking the
// tenants with records in turn; it waits like Queue.Read. A tenant whose
// queue fails to read is passed over, so it cannot hold up the others; its
// error is returned only when no other tenant had records, and the next
// Read starts after it.
func (s *Set) Read(ctx context.Context, maxRecords, maxBytes int) ([]Record, error) {
	return s.ReadSkipping(ctx, maxRecords, maxBytes, nil)
}

// ReadSkipping is Read passing over the tenants skip reports (nil: none):
// a reader holding back one tenant (its receiver failed) keeps reading the
// others.
func (s *Set) ReadSkipping(ctx context.Context, maxRecords, maxBytes int, skip func(tenant string) bool) ([]Record, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		start := s.next
		s.mu.Unlock()
		qs := s.snapshot()
		var firstErr error
		for i := range qs {
			k := (start + i) % len(qs)
			if skip != nil && skip(qs[k].tenant) {
				continue
			}
			recs, err := qs[k].TryRead(maxRecords, maxBytes)
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("read tenant %s: %w", qs[k].tenant, err)
					s.mu.Lock()
					s.next = k + 1
					s.mu.Unlock()
				}
				continue
			}
			if len(recs) > 0 {
				s.mu.Lock()
				s.next = k + 1
				s.mu.Unlock()
				return recs, nil
			}
		}
		if firstErr != nil {
			return nil, firstErr
		}
		s.waiting.Add(1)
		select {
		case <-s.signal:
		case <-s.closing:
		case <-ctx.Done():
			s.waiting.Add(-1)
			return nil, ctx.Err()
		}
		s.waiting.Add(-1)
	}
}

func (s *Set) queue(tenant string) (*Queue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	q, ok := s.queues[tenant]
	if !ok {
		return nil, fmt.Errorf("queue set: no queue for tenant %q", tenant)
	}
	return q, nil
}

// Ack acknowledges the tenant's records up to seq (see Queue.Ack).
func (s *Set) Ack(tenant string, seq uint64) error {
	q, err := s.queue(tenant)
	if err != nil {
		return err
	}
	return q.Ack(seq)
}

// RewindTenant rewinds one tenant's queue (see Queue.Rewind).
func (s *Set) RewindTenant(tenant string) error {
	q, err := s.queue(tenant)
	if err != nil {
		return err
	}
	err = q.Rewind()
	s.wake()
	return err
}

// Rewind rewinds every tenant's queue (see Queue.Rewind).
func (s *Set) Rewind() error {
	var errs []error
	for _, q := range s.snapshot() {
		errs = append(errs, q.Rewind())
	}
	s.wake()
	return errors.Join(errs...)
}

// Status returns every tenant queue's status, by tenant.
func (s *Set) Status() []Status {
	qs := s.snapshot()
	out := make([]Status, 0, len(qs))
	for _, q := range qs {
		out = append(out, q.Status())
	}
	return out
}

// Health is the worst health of the set's queues.
func (s *Set) Health() Health {
	var worst Health
	for _, q := range s.snapshot() {
		if h := q.Health(); h.Level > worst.Level {
			worst = h
		}
	}
	return worst
}

func (s *Set) snapshot() []*Queue {
	s.mu.Lock()
	defer s.mu.Unlock()
	qs := make([]*Queue, 0, len(s.order))
	for _, t := range s.order {
		qs = append(qs, s.queues[t])
	}
	return qs
}

// Close closes every queue.
func (s *Set) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	var errs []error
	for _, q := range s.snapshot() {
		errs = append(errs, q.Close())
	}
	return errors.Join(errs...)
}

// tenantDir escapes a tenant name into a directory name: letters, digits,
// '-' and '_' stay, so do dots after the first byte; every other byte is
// %XX. A tenant can therefore never name "..", a path separator or a
// hidden file.
func tenantDir(tenant string) string {
	var b strings.Builder
	for i := 0; i < len(tenant); i++ {
		c := tenant[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func tenantFromDir(name string) (string, bool) {
	t, err := url.PathUnescape(name)
	if err != nil || t == "" || tenantDir(t) != name {
		return "", false
	}
	return t, true
}
