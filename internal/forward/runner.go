package forward

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/queue"
)

// RunnerConfig configures the loop that drains one output's queue.
type RunnerConfig struct {
	// MaxEvents and MaxBytes bound a batch; Linger is how long the runner
	// waits for a batch to fill after its first event was read.
	MaxEvents, MaxBytes int
	Linger              time.Duration
	Backoff             Backoff
	// EventsPerSecond and BytesPerSecond throttle delivery; 0: no limit.
	EventsPerSecond, BytesPerSecond float64
	Logger                          *slog.Logger
}

// runner drains one output's queue set into the output.
type runner struct {
	name     string
	set      *queue.Set
	out      Output
	flusher  Flusher
	cfg      RunnerConfig
	throttle *Throttle
	st       *stats
	log      *slog.Logger

	held []held // batches sent to a Flusher and not yet flushed
	// parked holds the tenants whose last send failed: each waits out its
	// own backoff, its batch rewound in its queue, while the runner
	// delivers the other tenants (see park).
	parked map[string]*parking
	// pool holds the events of the last batch, decoded into again: an
	// output must not keep events after Send (see Batch).
	pool []*event.Event
}

type parking struct {
	until   time.Time
	attempt int
}

// errParked wraps a failed send that parked its tenant.
type errParked struct{ err error }

func (e *errParked) Error() string { return e.err.Error() }
func (e *errParked) Unwrap() error { return e.err }

type held struct {
	tenant string
	seq    uint64
	events int
	bytes  int
}

func newRunner(name string, set *queue.Set, out Output, cfg RunnerConfig, st *stats) *runner {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = queue.DefaultReadRecords
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = queue.DefaultReadBytes
	}
	if cfg.Backoff.Initial <= 0 {
		cfg.Backoff.Initial = 500 * time.Millisecond
	}
	if cfg.Backoff.Max < cfg.Backoff.Initial {
		cfg.Backoff.Max = max(time.Minute, cfg.Backoff.Initial)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &runner{name: name, set: set, out: out, cfg: cfg, st: st, parked: map[string]*parking{},
		throttle: NewThrottle(cfg.EventsPerSecond, cfg.BytesPerSecond),
		log:      cfg.Logger.With("output", name)}
	r.flusher, _ = out.(Flusher)
	return r
}

// run drains the queue until ctx ends. On the way out it flushes what a
// Flusher holds (with a bounded wait) so a clean stop leaves no file half
// written; whatever was not acknowledged is read again at the next start.
func (r *runner) run(ctx context.Context) {
	defer r.finish()
	attempt := 0
	for ctx.Err() == nil {
		recs, err := r.read(ctx)
		switch {
		case err == nil:
		case ctx.Err() != nil || errors.Is(err, queue.ErrClosed):
			return
		case errors.Is(err, context.DeadlineExceeded):
			// A Flusher's data came due while no new batch arrived.
			if err := r.flush(ctx); err != nil {
				r.recover(ctx, err, &attempt)
			} else {
				attempt = 0
			}
			continue
		default:
			r.log.Error("read output queue", "err", err)
			if !sleep(ctx, r.cfg.Backoff.Delay(attempt)) {
				return
			}
			attempt++
			continue
		}
		if len(recs) == 0 {
			continue
		}
		if err := r.handle(ctx, recs); err != nil {
			if ctx.Err() != nil {
				return
			}
			r.recover(ctx, err, &attempt)
			continue
		}
		attempt = 0
	}
}

// read returns the next batch of one tenant: what the queue has, plus what
// arrives within the linger time, up to the batch limits. With a Flusher
// holding data, the wait ends when that data comes due
// (context.DeadlineExceeded).
func (r *runner) read(ctx context.Context) ([]queue.Record, error) {
	rctx := ctx
	var at time.Time
	if r.flusher != nil && len(r.held) > 0 {
		at = r.flusher.FlushAt()
	}
	// A parked tenant's wait ending also ends the read, so it is read again.
	now := time.Now()
	for _, p := range r.parked {
		if p.until.After(now) && (at.IsZero() || p.until.Before(at)) {
			at = p.until
		}
	}
	if !at.IsZero() {
		var cancel context.CancelFunc
		rctx, cancel = context.WithDeadline(ctx, at)
		defer cancel()
	}
	recs, err := r.set.ReadSkipping(rctx, r.cfg.MaxEvents, r.cfg.MaxBytes, r.isParked)
	if err != nil {
		return nil, err
	}
	if r.cfg.Linger <= 0 || len(recs) == 0 {
		return recs, nil
	}
	n, size := len(recs), recordBytes(recs)
	if n >= r.cfg.MaxEvents || size >= r.cfg.MaxBytes {
		return recs, nil
	}
	q, err := r.set.Queue(recs[0].Tenant)
	if err != nil {
		return recs, nil
	}
	lctx, cancel := context.WithTimeout(rctx, r.cfg.Linger)
	defer cancel()
	for n < r.cfg.MaxEvents && size < r.cfg.MaxBytes {
		more, err := q.Read(lctx, r.cfg.MaxEvents-n, r.cfg.MaxBytes-size)
		if err != nil || len(more) == 0 {
			break
		}
		recs = append(recs, more...)
		n, size = n+len(more), size+recordBytes(more)
	}
	return recs, nil
}

func recordBytes(recs []queue.Record) int {
	n := 0
	for _, r := range recs {
		n += len(r.Data)
	}
	return n
}

// handle decodes and delivers one batch, then acknowledges it (or holds
// it for a Flusher). It returns an error only when a Flusher failed (the
// caller discards and rewinds) or ctx ended.
func (r *runner) handle(ctx context.Context, recs []queue.Record) error {
	tenant, last := recs[0].Tenant, recs[len(recs)-1].Seq
	b := &Batch{Tenant: tenant, Events: r.pool[:0]}
	for _, rec := range recs {
		var e *event.Event
		if n := len(b.Events); n < cap(b.Events) && b.Events[:n+1][n] != nil {
			e = b.Events[:n+1][n]
		} else {
			e = &event.Event{}
		}
		if err := e.UnmarshalBinary(rec.Data); err != nil {
			r.st.undecodable.Add(1)
			r.log.Error("dropped an undecodable queue record", "tenant", tenant, "seq", rec.Seq, "err", err)
			continue
		}
		b.Events = append(b.Events, e)
		b.Bytes += len(rec.Data)
	}
	r.pool = b.Events
	delivered := 0
	if len(b.Events) > 0 {
		if err := r.throttle.Wait(ctx, len(b.Events), b.Bytes); err != nil {
			return err
		}
		var err error
		if delivered, err = r.deliver(ctx, b); err != nil {
			var pe *errParked
			if errors.As(err, &pe) {
				return r.park(tenant, len(b.Events), pe.err)
			}
			return err
		}
	}
	delete(r.parked, tenant)
	if r.flusher != nil {
		r.held = append(r.held, held{tenant: tenant, seq: last, events: delivered, bytes: b.Bytes})
		if at := r.flusher.FlushAt(); !at.IsZero() && !time.Now().Before(at) {
			return r.flush(ctx)
		}
		return nil
	}
	r.st.ok(delivered, b.Bytes)
	if err := r.set.Ack(tenant, last); err != nil {
		return fmt.Errorf("ack %s up to %d: %w", tenant, last, err)
	}
	return nil
}

// deliver sends b once and returns how many of its events the receiver
// took. A permanent refusal splits the batch and drops only the events
// refused on their own. Another failure is an *errParked (the caller parks
// the tenant, see park), or with a Flusher the error itself (the caller
// discards what it holds).
func (r *runner) deliver(ctx context.Context, b *Batch) (int, error) {
	err := r.out.Send(ctx, b)
	if err == nil {
		return len(b.Events), nil
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if IsPermanent(err) && r.flusher == nil {
		return r.split(ctx, b, err)
	}
	r.st.fail(len(b.Events), err)
	if r.flusher != nil {
		return 0, err
	}
	return 0, &errParked{err}
}

// park holds back a tenant whose send failed: its batch is rewound in its
// queue, to be read again once the tenant's backoff has passed, and
// meanwhile the runner delivers the other tenants. So one tenant's failure
// — a receiver refusing its index, a directory it cannot write — never
// holds up another's delivery; a failure of every tenant backs each off.
func (r *runner) park(tenant string, events int, err error) error {
	p := r.parked[tenant]
	if p == nil {
		p = &parking{}
		r.parked[tenant] = p
	}
	d := r.cfg.Backoff.Delay(p.attempt)
	p.attempt++
	p.until = time.Now().Add(d)
	r.log.Warn("delivery failed, retrying", "tenant", tenant, "events", events, "attempt", p.attempt, "retry_in", d.Round(time.Millisecond), "err", err)
	if rerr := r.set.RewindTenant(tenant); rerr != nil {
		return fmt.Errorf("rewind tenant %s: %w", tenant, rerr)
	}
	return nil
}

func (r *runner) isParked(tenant string) bool {
	p, ok := r.parked[tenant]
	return ok && time.Now().Before(p.until)
}

func (r *runner) split(ctx context.Context, b *Batch, err error) (int, error) {
	if len(b.Events) == 1 {
		e := b.Events[0]
		r.st.rejected.Add(1)
		r.log.Error("receiver refused an event; dropped", "tenant", b.Tenant, "event.id", e.ID, "err", err)
		return 0, nil
	}
	half := len(b.Events) / 2
	delivered := 0
	for _, part := range [][]*event.Event{b.Events[:half], b.Events[half:]} {
		pb := &Batch{Tenant: b.Tenant, Events: part, Bytes: b.Bytes * len(part) / len(b.Events)}
		n, err := r.deliver(ctx, pb)
		delivered += n
		if err != nil {
			return delivered, err
		}
	}
	return delivered, nil
}

// flush completes a Flusher's held batches and acknowledges them.
func (r *runner) flush(ctx context.Context) error {
	if r.flusher == nil || len(r.held) == 0 {
		return nil
	}
	if err := r.flusher.Flush(ctx); err != nil {
		n := 0
		for _, h := range r.held {
			n += h.events
		}
		r.st.fail(n, err)
		return fmt.Errorf("flush: %w", err)
	}
	for _, h := range r.held {
		r.st.ok(h.events, h.bytes)
		if err := r.set.Ack(h.tenant, h.seq); err != nil {
			return fmt.Errorf("ack %s up to %d: %w", h.tenant, h.seq, err)
		}
	}
	r.held = r.held[:0]
	return nil
}

// recover handles a failed Flusher (or ack): it drops what the output
// holds, rewinds the queue so the unacknowledged batches are read again,
// and backs off.
func (r *runner) recover(ctx context.Context, err error, attempt *int) {
	if r.flusher != nil {
		r.flusher.Discard()
	}
	r.held = r.held[:0]
	if rerr := r.set.Rewind(); rerr != nil && !errors.Is(rerr, queue.ErrClosed) {
		r.log.Error("rewind output queue", "err", rerr)
	}
	d := r.cfg.Backoff.Delay(*attempt)
	*attempt++
	r.log.Warn("delivery failed, retrying", "attempt", *attempt, "retry_in", d.Round(time.Millisecond), "err", err)
	sleep(ctx, d)
}

// finish flushes what a Flusher holds when the runner stops, waiting at
// most flushOnStop.
func (r *runner) finish() {
	if r.flusher == nil || len(r.held) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushOnStop)
	defer cancel()
	if err := r.flush(ctx); err != nil {
		r.log.Warn("flush at stop failed; the batches will be sent again at the next start", "err", err)
		r.flusher.Discard()
	}
}

// flushOnStop bounds the final flush of a stopping runner: a folder output
// renames its files in milliseconds, and a stop must not hang on a disk
// that stopped answering.
const flushOnStop = 10 * time.Second
