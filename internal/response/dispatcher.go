package response

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/queue"
)

// maxSeen bounds the deliveries remembered so that a folded alert's
// updates do not run its responses again: 100,000 ids of 32 bytes (~6 MB
// with the map) cover far more alerts than fold in one window.
const maxSeen = 100_000

// Options configure a Dispatcher.
type Options struct {
	// Responses are the validated responses of vigil.yaml.
	Responses []config.Response
	// Recorder keeps the attempt records; required.
	Recorder *Recorder
	// Registerer, when set, receives the response metrics.
	Registerer prometheus.Registerer
	// Audit, when set, is given every attempt record too (the audit log
	// records response runs).
	Audit func(Record)
	// Logger; nil: slog.Default().
	Logger *slog.Logger
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// Dir holds each response's durable job queue, in Dir/<response name>
	// (DATA/state/responses in vigil serve); required when there are
	// responses.
	Dir string
}

// action runs one attempt of a job.
type action interface {
	do(ctx context.Context, j *job) result
	close() error
}

// result is what one attempt did.
type result struct {
	// err is nil on success. Its text goes to the record: it must hold no
	// secret.
	err error
	// retry says another attempt may succeed.
	retry bool
	// after is the wait the receiver asked for (HTTP Retry-After).
	after time.Duration
	// detail describes the outcome (a status, an exit status and output).
	detail string
}

// responder is one configured response at run time.
type responder struct {
	cfg   config.Response
	match matcher
	act   action
	// q holds the response's jobs until their last attempt (durable.go).
	q *queue.Queue
	// pending counts the jobs in q not yet finished, running ones included.
	pending atomic.Int64
	acks    ackTracker
	// jobs hands the jobs the reader took from q to the workers.
	jobs chan queued
}

// limit is how many unfinished jobs the response holds: Queue waiting and
// one running per worker.
func (r *responder) limit() int64 { return int64(r.cfg.Queue + r.cfg.Workers) }

// Dispatcher matches alerts and incident notices against the responses and
// runs them asynchronously. It implements alert.Sink and
// incident.Notifier.
type Dispatcher struct {
	rs  []*responder
	rec *Recorder
	log *slog.Logger
	met *metrics
	now func() time.Time
	// audit is Options.Audit.
	audit func(Record)

	mu     sync.RWMutex // guards closed against the queues' close
	closed bool
	// stopRead ends the readers and the waits between attempts at Close:
	// what was not finished stays queued for the next start.
	stopping context.Context
	stopRead context.CancelFunc

	seenMu sync.Mutex
	seen   map[string]struct{}
	ring   []string // the remembered deliveries in arrival order, a ring of maxSeen
	next   int

	ctx    context.Context // cancelled to abort in-flight attempts
	cancel context.CancelFunc
	wg     sync.WaitGroup
	start  sync.Once
}

var (
	_ alert.Sink        = (*Dispatcher)(nil)
	_ incident.Notifier = (*Dispatcher)(nil)
)

// New builds the responses' actions (reading secret files and TLS
// settings, resolving programs) and remembers recent deliveries from the
// records. Start runs the workers.
func New(ctx context.Context, o Options) (*Dispatcher, error) {
	if o.Recorder == nil {
		return nil, errors.New("new response dispatcher: a recorder is required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &Dispatcher{rec: o.Recorder, log: o.Logger.With("component", "responses"), met: newMetrics(o.Registerer, o.Recorder), now: o.Now,
		audit: o.Audit, seen: map[string]struct{}{}}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.stopping, d.stopRead = context.WithCancel(context.Background())
	if len(o.Responses) > 0 && o.Dir == "" {
		return nil, errors.New("new response dispatcher: a queue directory is required")
	}
	for _, c := range o.Responses {
		act, err := newAction(c)
		if err != nil {
			d.closeActions()
			return nil, fmt.Errorf("response %s: %w", c.Name, err)
		}
		r := &responder{cfg: c, match: newMatcher(c.Match), act: act, jobs: make(chan queued)}
		d.rs = append(d.rs, r)
		if r.q, err = openJobQueue(o.Dir, c.Name, d.log, o.Registerer); err != nil {
			d.closeActions()
			return nil, fmt.Errorf("response %s: %w", c.Name, err)
		}
		r.pending.Store(int64(r.q.Status().Records))
		if o.Registerer != nil {
			o.Registerer.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "response", Name: "queue_length",
				Help: "Jobs of a response not yet finished (queued, waiting to retry or running).", ConstLabels: prometheus.Labels{"response": c.Name}},
				func() float64 { return float64(r.pending.Load()) }))
		}
	}
	ids, err := d.rec.recentDeliveries(ctx, o.Now().Add(-24*time.Hour), maxSeen)
	if err != nil {
		d.closeActions()
		return nil, err
	}
	for i := len(ids) - 1; i >= 0; i-- { // oldest first, so the newest are evicted last
		d.remember(ids[i])
	}
	return d, nil
}

func newAction(c config.Response) (action, error) {
	switch c.Type {
	case config.ResponseWebhook:
		return newWebhook(c.Webhook)
	case config.ResponseProgram:
		return newProgram(c.Program)
	case config.ResponseSyslog:
		return newSyslog(c.Syslog)
	case config.ResponseKafka:
		return newKafka(c.Kafka, c.Timeout.D())
	}
	return nil, fmt.Errorf("type %q unknown", c.Type)
}

// Start runs the reader and the workers of every response: the jobs left
// queued by the last run start again first.
func (d *Dispatcher) Start() {
	d.start.Do(func() {
		for _, r := range d.rs {
			d.wg.Add(1)
			go func() {
				defer d.wg.Done()
				d.read(r)
			}()
			for range r.cfg.Workers {
				d.wg.Add(1)
				go func() {
					defer d.wg.Done()
					for qj := range r.jobs {
						if d.run(r, qj.j) {
							d.finish(r, qj.seq)
						}
					}
				}()
			}
		}
	})
}

// Close stops taking jobs and reading the queues, lets the attempts that
// run finish until ctx is done, then aborts them, closes the queues and
// the actions and writes the last records. Jobs not finished (queued,
// waiting to retry, aborted) stay in the queues: the next start runs them.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.stopRead()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		<-done
	}
	d.cancel()
	err := d.closeActions()
	d.rec.Close()
	return err
}

// closeActions closes the queues and the actions.
func (d *Dispatcher) closeActions() error {
	var errs []error
	for _, r := range d.rs {
		if r.q != nil {
			if err := r.q.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close response %s queue: %w", r.cfg.Name, err))
			}
		}
		if err := r.act.close(); err != nil {
			errs = append(errs, fmt.Errorf("close response %s: %w", r.cfg.Name, err))
		}
	}
	return errors.Join(errs...)
}

// remember adds a delivery to the seen set and reports whether it was new.
func (d *Dispatcher) remember(id string) bool {
	d.seenMu.Lock()
	defer d.seenMu.Unlock()
	if _, ok := d.seen[id]; ok {
		return false
	}
	d.seen[id] = struct{}{}
	if len(d.ring) < maxSeen {
		d.ring = append(d.ring, id)
		return true
	}
	delete(d.seen, d.ring[d.next])
	d.ring[d.next] = id
	d.next = (d.next + 1) % maxSeen
	return true
}

// WriteAlerts implements alert.Sink: alerts matching an alert-triggered
// response are queued for it, each alert once. It never waits.
func (d *Dispatcher) WriteAlerts(_ context.Context, as []alert.Alert) error {
	var errs []error
	for _, r := range d.rs {
		if r.cfg.Trigger != config.TriggerAlert {
			continue
		}
		var js []*job
		for i := range as {
			a := &as[i]
			if !r.match.matchAlert(a) {
				continue
			}
			j, err := alertJob(r.cfg.Name, a, d.now())
			if err != nil {
				errs = append(errs, err)
				continue
			}
			js = append(js, j)
		}
		d.enqueue(r, js)
	}
	return errors.Join(errs...)
}

// NotifyIncidents implements incident.Notifier: notices matching an
// incident-triggered response are queued for it. It never waits.
func (d *Dispatcher) NotifyIncidents(_ context.Context, ns []incident.Notice) {
	for _, r := range d.rs {
		if r.cfg.Trigger != config.TriggerIncident {
			continue
		}
		var js []*job
		for i := range ns {
			n := &ns[i]
			if !r.match.matchIncident(&n.Incident) {
				continue
			}
			j, err := incidentJob(r.cfg.Name, n, d.now())
			if err != nil {
				d.log.Error("queue incident response", "response", r.cfg.Name, "incident", n.Incident.ID, "err", err)
				continue
			}
			js = append(js, j)
		}
		d.enqueue(r, js)
	}
}

// enqueue appends the new jobs to the response's queue, with one fsync for
// all of them. A job over the response's limit, or one that cannot be
// queued, is dropped: counted, logged and recorded.
func (d *Dispatcher) enqueue(r *responder, js []*job) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var recs [][]byte
	var kept []*job
	for _, j := range js {
		if !d.remember(j.delivery) {
			continue // an update of an alert already responded to
		}
		switch {
		case d.closed:
			d.drop(r, j, "vigil is stopping")
		case r.pending.Load()+int64(len(kept)) >= r.limit():
			d.drop(r, j, fmt.Sprintf("queue full (%d jobs)", r.cfg.Queue))
		default:
			b, err := j.marshal()
			if err != nil {
				d.drop(r, j, err.Error())
				continue
			}
			recs, kept = append(recs, b), append(kept, j)
		}
	}
	if len(recs) == 0 {
		return
	}
	if _, err := r.q.Append(recs); err != nil {
		for _, j := range kept {
			d.drop(r, j, fmt.Sprintf("queue: %v", err))
		}
		return
	}
	r.pending.Add(int64(len(kept)))
}

// drop counts, logs and records a job that will not run.
func (d *Dispatcher) drop(r *responder, j *job, why string) {
	d.met.outcomes.WithLabelValues(r.cfg.Name, r.cfg.Type, OutcomeDropped).Inc()
	d.log.Warn("response dropped", "response", r.cfg.Name, "kind", j.kind, "subject", j.subject, "why", why)
	d.rec.tryAdd(d.record(r, j, 0, j.queued, 0, OutcomeDropped, why))
}

func (d *Dispatcher) record(r *responder, j *job, attempt int, at time.Time, dur time.Duration, outcome, detail string) Record {
	if len(detail) > maxDetail {
		detail = detail[:maxDetail] + "…"
	}
	rec := Record{Time: at, Tenant: j.tenant, Response: r.cfg.Name, Action: r.cfg.Type, Kind: j.kind, Subject: j.subject,
		RuleID: j.ruleID, Reason: j.reason, Delivery: j.delivery, Attempt: attempt, Outcome: outcome,
		DurationMS: dur.Milliseconds(), Detail: detail, Actor: j.actor}
	if d.audit != nil {
		d.audit(rec)
	}
	return rec
}

// run runs a job's attempts and reports whether the job is finished (a
// success, or a failure given up on); false: Vigil is stopping and the job
// stays queued for the next start.
func (d *Dispatcher) run(r *responder, j *job) bool {
	retry := r.cfg.Retry
	for attempt := 1; ; attempt++ {
		if d.ctx.Err() != nil || d.stopping.Err() != nil {
			return false
		}
		start := d.now()
		ctx, cancel := context.WithTimeout(d.ctx, r.cfg.Timeout.D())
		res := r.act.do(ctx, j)
		cancel()
		dur := d.now().Sub(start)
		outcome, detail := OutcomeSuccess, res.detail
		aborted := false
		if res.err != nil {
			outcome = OutcomeFailure
			detail = res.err.Error()
			if res.detail != "" {
				detail += "; " + res.detail
			}
			switch {
			case d.ctx.Err() != nil:
				outcome, aborted = OutcomeRetry, true
				detail += "; vigil stopped: the job runs again at the next start"
			case res.retry && attempt < retry.Attempts:
				outcome = OutcomeRetry
			}
		}
		d.met.outcomes.WithLabelValues(r.cfg.Name, r.cfg.Type, outcome).Inc()
		d.rec.add(d.record(r, j, attempt, start, dur, outcome, detail))
		if aborted {
			return false
		}
		if outcome != OutcomeRetry {
			if outcome == OutcomeFailure {
				d.log.Warn("response failed", "response", r.cfg.Name, "kind", j.kind, "subject", j.subject, "attempts", attempt, "err", res.err)
			}
			return true
		}
		wait := backoff(retry, attempt, res.after)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-d.stopping.Done():
			t.Stop()
			return false
		}
	}
}

// backoff is the wait after a failed attempt: initial doubled per attempt
// up to max, spread by ±jitter, and at least what the receiver asked for
// (itself capped at max).
func backoff(r config.ResponseRetry, attempt int, asked time.Duration) time.Duration {
	d := r.Initial.D()
	for i := 1; i < attempt && d < r.Max.D(); i++ {
		d *= 2
	}
	d = min(d, r.Max.D())
	if j := *r.Jitter; j > 0 {
		d = time.Duration(float64(d) * (1 + j*(2*rand.Float64()-1)))
	}
	if asked > d {
		d = min(asked, r.Max.D())
	}
	return d
}
