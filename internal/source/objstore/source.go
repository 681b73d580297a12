package objstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/resume"
)

// Timing constants, with the reasoning behind them.
const (
	// CheckpointInterval bounds how often the state file is written: after
	// a crash, at most the batches acknowledged in this long are imported
	// again (with the same event ids).
	CheckpointInterval = 250 * time.Millisecond
	// DrainTimeout bounds how long Run waits, when it ends, for the
	// batches in flight to be acknowledged so the state covers them.
	DrainTimeout = resume.DrainTimeout
	// MaxInFlight bounds the objects whose batches are not all
	// acknowledged yet; the pipeline's queue bounds the batches.
	MaxInFlight = 8
	// MaxRetryDelay caps the wait before an object is tried again.
	MaxRetryDelay = 5 * time.Minute
)

// Source imports the objects of a bucket exactly once; see the package doc.
type Source struct {
	name, tenant, format string
	cfg                  Import
	bucket               Bucket
	// base is the state directory, telemetry, logger and drain shared
	// with the other resuming sources; stateDir, tel and log are its.
	base         resume.Base
	stateDir     string
	tel          *pipeline.Telemetry
	log          *slog.Logger
	now          func() time.Time
	drainTimeout time.Duration
	// checkpoint is the least time between two saves of the state while
	// importing; fixedCheckpoint (SetCheckpointInterval) keeps it from
	// growing with the cost of a save.
	checkpoint      time.Duration
	fixedCheckpoint bool

	imported, failed atomic.Int64
	pendingN         atomic.Int64
	descs            descs

	// Run's own state.
	pending  map[string]Object    // listed, not imported yet
	markers  map[string]bool      // done-marker keys seen
	retryAt  map[string]time.Time // objects waiting to be tried again
	highKey  string               // the highest key ever listed
	lastFull time.Time

	// mu guards what follows up to acked: acknowledgements arrive on
	// pipeline workers.
	mu          sync.Mutex
	state       map[string]*entry
	jobs        map[string]*job
	dirty       bool
	toFinish    []Object
	retries     []retry // objects to read again, picked up by Run
	lastSave    time.Time
	lastSaveDur time.Duration
}

// job is the import of one object.
type job struct {
	obj     Object
	skip    int64 // records 1..skip are durable from an earlier attempt
	flights []*flight
	read    bool  // every record was read and submitted
	readErr error // why reading stopped early
	ackErr  error // the first batch the pipeline failed
}

// flight is a batch of a job the pipeline has not acknowledged yet; end
// is the ordinal of its last record.
type flight struct {
	end  int64
	done bool
	err  error
}

// New returns an import source reading bucket. common and imp must have
// been validated; the state lives under env.DataDir/state/<name>.
func New(common config.SourceCommon, imp Import, bucket Bucket, env config.SourceEnv) (*Source, error) {
	b, err := resume.New("import source", common.Name, env)
	if err != nil {
		return nil, err
	}
	if err := common.CheckTenant(); err != nil {
		return nil, fmt.Errorf("import %w", err)
	}
	s := &Source{name: common.Name, tenant: common.Tenant, format: common.Format, cfg: imp, bucket: bucket,
		base: b, stateDir: b.StateDir, tel: b.Tel, log: b.Log,
		now: time.Now, drainTimeout: DrainTimeout, checkpoint: CheckpointInterval,
		pending: map[string]Object{}, markers: map[string]bool{}, retryAt: map[string]time.Time{},
		jobs: map[string]*job{}}
	if s.tenant == "" {
		s.tenant = event.DefaultTenant
	}
	s.descs = newDescs(s.name)
	return s, nil
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.name }

// SetCheckpointInterval replaces CheckpointInterval for this source: the
// state file is written at most every d while objects are imported, and
// no less often when saving takes long; 0 writes it after every change
// (each acknowledgement). Tests use it so the state on disk follows the
// acknowledgements exactly. It must be called before Run.
func (s *Source) SetCheckpointInterval(d time.Duration) {
	s.checkpoint, s.fixedCheckpoint = d, true
}

// Stats are the counts a Source exposes.
type Stats struct {
	// Imported and Failed count the objects imported completely and those
	// given up on since the source started.
	Imported, Failed int64
	// Pending counts objects listed and not imported yet; InFlight those
	// whose batches are not all acknowledged.
	Pending, InFlight int64
}

// Stats returns the source's counts.
func (s *Source) Stats() Stats {
	s.mu.Lock()
	inFlight := int64(len(s.jobs))
	s.mu.Unlock()
	return Stats{Imported: s.imported.Load(), Failed: s.failed.Load(), Pending: s.pendingN.Load(), InFlight: inFlight}
}

// Run implements pipeline.Source: it lists and imports until ctx ends, then
// waits (up to DrainTimeout) for the batches in flight and saves the state.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	st, err := loadState(s.stateDir)
	if err != nil {
		return fmt.Errorf("import source %s: %w", s.name, err)
	}
	s.mu.Lock()
	s.state = st
	for _, e := range st {
		if e.Status == statusImported && !e.Finished {
			if _, ok := s.bucket.(Finisher); ok {
				s.toFinish = append(s.toFinish, Object{Key: e.Key, Size: e.Size, ETag: e.ETag, Modified: e.Modified})
			}
		}
	}
	s.mu.Unlock()
	for ctx.Err() == nil {
		if err := s.list(ctx); err != nil && ctx.Err() == nil {
			s.tel.Errors.Inc()
			s.log.Warn("list objects", "bucket", s.bucket.Name(), "err", err)
		}
		s.importReady(ctx, in)
		s.maybeSave(false)
		select {
		case <-ctx.Done():
		case <-time.After(s.cfg.PollInterval.D()):
		}
	}
	s.drain()
	s.maybeSave(true)
	return nil
}

// list lists the bucket: from the first key when a full scan is due, else
// after the highest key seen. It records new objects as pending and, on a
// full scan, forgets what is gone.
func (s *Source) list(ctx context.Context) error {
	now := s.now()
	full := s.lastFull.IsZero() || s.cfg.FullScanInterval == 0 || now.Sub(s.lastFull) >= s.cfg.FullScanInterval.D()
	after := s.highKey
	if full {
		after = ""
	}
	seen := map[string]bool{}
	markers := map[string]bool{}
	err := s.bucket.List(ctx, after, func(o Object) error {
		if o.Key > s.highKey {
			s.highKey = o.Key
		}
		seen[o.Key] = true
		if s.cfg.DoneMarker != "" && len(o.Key) > len(s.cfg.DoneMarker) && o.Key[len(o.Key)-len(s.cfg.DoneMarker):] == s.cfg.DoneMarker {
			markers[o.Key] = true
			return nil
		}
		if !s.cfg.matches(o.Key) {
			return nil
		}
		if s.cfg.IgnoreOlderThan > 0 && now.Sub(o.Modified) > s.cfg.IgnoreOlderThan.D() {
			return nil
		}
		s.mu.Lock()
		e := s.state[o.Key]
		_, busy := s.jobs[o.Key]
		s.mu.Unlock()
		switch {
		case busy:
		case e != nil && e.same(o) && (e.Status == statusImported || e.Status == statusFailed):
			delete(s.pending, o.Key)
		default:
			if e != nil && !e.same(o) && e.Status != statusImporting {
				if _, known := s.pending[o.Key]; !known {
					s.log.Info("object changed since it was imported; importing it again", "key", o.Key,
						"old_etag", e.ETag, "etag", o.ETag)
				}
			}
			s.pending[o.Key] = o
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !full {
		for k := range markers {
			s.markers[k] = true
		}
		s.pendingN.Store(int64(len(s.pending)))
		return nil
	}
	s.lastFull = now
	s.markers = markers
	for k := range s.pending {
		if !seen[k] {
			delete(s.pending, k)
		}
	}
	for k := range s.retryAt {
		if !seen[k] {
			delete(s.retryAt, k)
		}
	}
	// Forget objects that are gone (deleted, moved, expired) or too old to
	// be imported again: the state stays as big as the bucket's live part.
	s.mu.Lock()
	for k, e := range s.state {
		if _, busy := s.jobs[k]; busy {
			continue
		}
		old := s.cfg.IgnoreOlderThan > 0 && now.Sub(e.Modified) > s.cfg.IgnoreOlderThan.D()
		if !seen[k] || old {
			delete(s.state, k)
			s.dirty = true
		}
	}
	s.mu.Unlock()
	s.pendingN.Store(int64(len(s.pending)))
	return nil
}

// ready reports whether a pending object may be imported now.
func (s *Source) ready(o Object, now time.Time) bool {
	if t, ok := s.retryAt[o.Key]; ok && now.Before(t) {
		return false
	}
	if s.cfg.Settle > 0 && now.Sub(o.Modified) < s.cfg.Settle.D() {
		return false
	}
	return s.cfg.DoneMarker == "" || s.markers[o.Key+s.cfg.DoneMarker]
}

// importReady imports the pending objects that are ready, in key order.
func (s *Source) importReady(ctx context.Context, in pipeline.Input) {
	now := s.now()
	keys := make([]string, 0, len(s.pending))
	for k, o := range s.pending {
		if s.ready(o, now) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !s.waitSlot(ctx) {
			return
		}
		o := s.pending[k]
		delete(s.pending, k)
		delete(s.retryAt, k)
		s.pendingN.Store(int64(len(s.pending)))
		s.importObject(ctx, in, o)
		s.maybeSave(false)
	}
}

// waitSlot waits until fewer than MaxInFlight objects are in flight,
// saving the state and finishing objects meanwhile. It reports false when
// ctx ended.
func (s *Source) waitSlot(ctx context.Context) bool {
	for {
		s.mu.Lock()
		n := len(s.jobs)
		s.mu.Unlock()
		if n < MaxInFlight {
			return ctx.Err() == nil
		}
		select {
		case <-ctx.Done():
			return false
		case <-s.base.Acked:
		case <-time.After(CheckpointInterval):
		}
		s.maybeSave(false)
	}
}

// importObject reads one object and submits its records; the job ends in
// ack once every batch is settled.
func (s *Source) importObject(ctx context.Context, in pipeline.Input, o Object) {
	s.mu.Lock()
	e := s.state[o.Key]
	if e == nil || !e.same(o) {
		e = &entry{Key: o.Key, ETag: o.ETag, Size: o.Size, Modified: o.Modified}
		s.state[o.Key] = e
	}
	e.Status, e.Updated, e.Finished = statusImporting, s.now().UTC(), false
	j := &job{obj: o, skip: e.Records}
	s.jobs[o.Key] = j
	s.dirty = true
	s.mu.Unlock()
	if j.skip > 0 {
		s.log.Info("resuming object import", "key", o.Key, "records_done", j.skip)
	} else {
		s.log.Info("importing object", "key", o.Key, "size", o.Size)
	}
	err := s.readObject(ctx, in, j)
	s.mu.Lock()
	j.read, j.readErr = true, err
	s.settle(j)
	s.mu.Unlock()
}

// ack records the outcome of a flight; called by the pipeline.
func (s *Source) ack(j *job, fl *flight, err error) {
	s.mu.Lock()
	if fl.done {
		s.mu.Unlock()
		return
	}
	fl.done, fl.err = true, err
	if err != nil && j.ackErr == nil {
		j.ackErr = err
	}
	for len(j.flights) > 0 && j.flights[0].done && j.flights[0].err == nil {
		if e := s.state[j.obj.Key]; e != nil && j.flights[0].end > e.Records {
			e.Records = j.flights[0].end
			s.dirty = true
		}
		j.flights = j.flights[1:]
	}
	s.settle(j)
	s.mu.Unlock()
	s.base.Ack()
}

// settle ends a job once it is read and every flight is done. s.mu is held.
func (s *Source) settle(j *job) {
	if !j.read || s.jobs[j.obj.Key] != j {
		return
	}
	for _, fl := range j.flights {
		if !fl.done {
			return
		}
	}
	delete(s.jobs, j.obj.Key)
	e := s.state[j.obj.Key]
	if e == nil {
		return
	}
	s.dirty = true
	e.Updated = s.now().UTC()
	key := j.obj.Key
	switch {
	case stopping(j.ackErr) || stopping(j.readErr):
		// The source is stopping: the object stays "importing" and is read
		// again from its last durable record at the next start.
	case j.ackErr != nil:
		// The pipeline failed a batch: the object is not to blame. It is
		// read again from its last durable record, as often as it takes.
		s.tel.Errors.Inc()
		s.log.Warn("a batch of the object was not stored; importing the rest again", "key", key,
			"records_done", e.Records, "err", j.ackErr)
		e.Attempts++
		s.scheduleRetry(j.obj, e.Attempts)
	case j.readErr != nil && transient(j.readErr) && e.Attempts+1 < s.cfg.MaxAttempts:
		e.Attempts++
		s.tel.Errors.Inc()
		s.log.Warn("reading the object failed; it will be tried again", "key", key, "attempt", e.Attempts,
			"records_done", e.Records, "err", j.readErr)
		s.scheduleRetry(j.obj, e.Attempts)
	case j.readErr != nil:
		e.Status, e.Reason = statusFailed, j.readErr.Error()
		if transient(j.readErr) {
			e.Reason = fmt.Sprintf("gave up after %d attempts: %v", e.Attempts+1, j.readErr)
		}
		s.failed.Add(1)
		s.tel.Errors.Inc()
		s.log.Error("object import failed; the records before the failure were imported", "key", key,
			"records_done", e.Records, "err", e.Reason)
	default:
		e.Status, e.Reason, e.Attempts = statusImported, "", 0
		s.imported.Add(1)
		s.log.Info("object imported", "key", key, "records", e.Records)
		if _, ok := s.bucket.(Finisher); ok {
			s.toFinish = append(s.toFinish, j.obj)
		}
	}
}

// stopping reports whether err comes from the source or the pipeline
// stopping rather than from the object or the store.
func stopping(err error) bool {
	return err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, pipeline.ErrStopped))
}

// scheduleRetry queues an object to be read again after a backoff that
// doubles with each attempt. s.mu is held; settle runs on pipeline workers
// too, so the retry goes through s.retries, which Run moves to pending.
func (s *Source) scheduleRetry(o Object, attempts int) {
	d := s.cfg.PollInterval.D() << min(attempts, 16)
	if d > MaxRetryDelay || d <= 0 {
		d = MaxRetryDelay
	}
	s.retries = append(s.retries, retry{obj: o, at: s.now().Add(d)})
}

// retry is an object to read again at a time.
type retry struct {
	obj Object
	at  time.Time
}

// drain waits, up to the drain timeout, for every flight to be acknowledged.
func (s *Source) drain() {
	s.base.Drain(s.drainTimeout, "objects", func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.jobs)
	})
}

// maybeSave writes the state when it changed, at most every
// CheckpointInterval unless forced; then it finishes the objects whose
// import the saved state records.
func (s *Source) maybeSave(force bool) {
	s.mu.Lock()
	s.takeRetries()
	// A big state costs more to write: saves are spaced to keep their cost
	// under 5% of the time (at least CheckpointInterval apart).
	interval := s.checkpoint
	if !s.fixedCheckpoint {
		interval = max(interval, 20*s.lastSaveDur)
	}
	if !s.dirty || !force && s.now().Sub(s.lastSave) < interval {
		s.mu.Unlock()
		return
	}
	entries := make([]entry, 0, len(s.state))
	for _, e := range s.state {
		entries = append(entries, *e)
	}
	finish := s.toFinish
	s.toFinish = nil
	s.dirty = false
	s.lastSave = s.now()
	s.mu.Unlock()
	began := time.Now()
	saved := s.base.Save("import state", func() error { return saveState(s.stateDir, entries) })
	s.mu.Lock()
	s.lastSaveDur = time.Since(began)
	s.mu.Unlock()
	if !saved {
		s.mu.Lock()
		s.dirty = true
		s.toFinish = append(finish, s.toFinish...)
		s.mu.Unlock()
		return
	}
	s.finish(finish)
}

// takeRetries moves the objects to read again into pending. s.mu is held.
func (s *Source) takeRetries() {
	for _, r := range s.retries {
		s.pending[r.obj.Key] = r.obj
		s.retryAt[r.obj.Key] = r.at
	}
	s.retries = s.retries[:0]
	s.pendingN.Store(int64(len(s.pending)))
}

// finish runs the bucket's Finisher on imported objects and records it.
func (s *Source) finish(objs []Object) {
	f, ok := s.bucket.(Finisher)
	if !ok || len(objs) == 0 {
		return
	}
	for _, o := range objs {
		if err := f.Finish(context.Background(), o); err != nil {
			s.tel.Errors.Inc()
			s.log.Error("finish imported object", "key", o.Key, "err", err)
			continue
		}
		s.mu.Lock()
		if e := s.state[o.Key]; e != nil && e.same(o) {
			e.Finished = true
			s.dirty = true
		}
		s.mu.Unlock()
	}
}

// position is where record n of an object sits: "<bucket>/<key>#<n>".
func (s *Source) position(o Object, n int64) string {
	return s.bucket.Name() + "/" + o.Key + "#" + strconv.FormatInt(n, 10)
}
