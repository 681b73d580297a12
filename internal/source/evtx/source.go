package evtx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	pevtx "github.com/vigilsiem/vigil/internal/parse/evtx"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/resume"
)

// Source imports EVTX files.
type Source struct {
	cfg Config
	// base is the state directory, telemetry, logger and drain shared
	// with the other resuming sources; stateDir, tel and log are its.
	base     resume.Base
	stateDir string
	tel      *pipeline.Telemetry
	log      *slog.Logger

	// mu guards the state, the jobs and dirty; acknowledgements arrive on
	// pipeline goroutines. The Run goroutine owns everything else.
	mu    sync.Mutex
	state map[string]*fileState // by path
	jobs  map[string]*job       // imports with batches in flight, by path
	dirty bool
	// drainTimeout is DrainTimeout and batch batchEvents; tests shorten them.
	drainTimeout time.Duration
	batch        int
	// rounds counts the rounds of Run done (scan, import, save): tests
	// wait on it to know the source looked and found nothing more.
	rounds atomic.Int64
}

// job is the import of one file.
type job struct {
	st      *fileState
	flights []*flight
	read    bool // every record has been submitted
	failed  bool
}

// flight is a submitted batch not yet acknowledged; its last record is at
// offset with record id id.
type flight struct {
	offset int64
	id     uint64
	n      int
	done   bool
	err    error
}

// New builds an evtx source; its state lives under env.DataDir/state/<name>.
func New(cfg Config, env config.SourceEnv) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("evtx source %s: %w", cfg.Name, err)
	}
	if err := cfg.CheckTenant(); err != nil {
		return nil, err
	}
	b, err := resume.New("evtx source", cfg.Name, env)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, base: b, stateDir: b.StateDir, tel: b.Tel, log: b.Log,
		jobs: map[string]*job{}, drainTimeout: DrainTimeout, batch: batchEvents}, nil
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Run implements pipeline.Source: it imports new files until ctx ends,
// then waits (up to DrainTimeout) for the batches in flight and saves the
// state.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	files, err := loadState(s.stateDir)
	if err != nil {
		return fmt.Errorf("evtx source %s: %w", s.cfg.Name, err)
	}
	s.state = make(map[string]*fileState, len(files))
	for _, f := range files {
		s.state[f.Path] = f
	}
	for ctx.Err() == nil {
		for _, p := range s.scan() {
			if ctx.Err() != nil {
				break
			}
			s.consider(ctx, in, p)
			s.save(false)
		}
		s.save(false)
		s.rounds.Add(1)
		select {
		case <-ctx.Done():
		case <-time.After(s.cfg.PollInterval.D()):
		}
	}
	s.drain()
	s.save(true)
	return nil
}

// scan returns the paths matching the globs, sorted.
func (s *Source) scan() []string {
	seen := map[string]bool{}
	var out []string
	for _, pattern := range s.cfg.Paths {
		paths, _ := filepath.Glob(pattern) // patterns were validated
		for _, p := range paths {
			if !seen[p] && !s.excluded(p) {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s *Source) excluded(path string) bool { return resume.Excluded(s.cfg.Exclude, path) }

// consider imports the file at path if it is new, changed or was not
// finished.
func (s *Source) consider(ctx context.Context, in pipeline.Input, path string) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < s.cfg.Settle.D() {
		return
	}
	s.mu.Lock()
	_, busy := s.jobs[path]
	prior := s.state[path]
	s.mu.Unlock()
	if busy || prior != nil && prior.Done && prior.Size == fi.Size() && prior.Updated.After(fi.ModTime()) {
		return // fast path: imported and untouched since
	}
	f, err := os.Open(path)
	if err != nil {
		s.tel.Errors.Inc()
		s.log.Warn("open evtx file", "path", path, "err", err)
		return
	}
	hash, err := identity(f, fi.Size())
	f.Close()
	if err != nil {
		s.tel.Errors.Inc()
		s.log.Warn("read evtx file", "path", path, "err", err)
		return
	}
	s.mu.Lock()
	var copyOf *fileState
	for _, st := range s.state {
		if st.Done && st.Size == fi.Size() && st.Hash == hash {
			copyOf = st
			break
		}
	}
	if copyOf != nil {
		// Imported already, here or under another name.
		if copyOf.Path != path {
			s.log.Info("evtx file already imported under another name", "path", path, "as", copyOf.Path)
			c := *copyOf
			c.Path, c.Updated = path, time.Now()
			s.state[path] = &c
			s.dirty = true
		} else if !copyOf.Updated.After(fi.ModTime()) {
			copyOf.Updated = time.Now()
			s.dirty = true
		}
		s.mu.Unlock()
		return
	}
	st := &fileState{Path: path, Size: fi.Size(), Hash: hash}
	var resume int64
	var resumeID, skipTo uint64
	switch {
	case prior != nil && !prior.Done && prior.Hash == hash && prior.Size == fi.Size():
		// An interrupted import: go on after the last durable record.
		st = prior
		resume, resumeID = prior.Offset, prior.LastID
	case prior != nil && prior.Done:
		// The file changed since it was imported (the log went on): its
		// records up to the last one imported are skipped, as long as the
		// record ids go on from there (a cleared log starts again at 1).
		skipTo = prior.LastID
		st.Records = prior.Records
	}
	j := &job{st: st}
	s.state[path] = st
	s.jobs[path] = j
	s.dirty = true
	s.mu.Unlock()
	s.importFile(ctx, in, j, resume, resumeID, skipTo)
}

// importFile reads the file of j and submits its records in batches.
func (s *Source) importFile(ctx context.Context, in pipeline.Input, j *job, resume int64, resumeID, skipTo uint64) {
	path := j.st.Path
	var problems []pevtx.Problem
	opts := pevtx.Options{Original: s.cfg.Original == OriginalXML, OnProblem: func(p pevtx.Problem) {
		problems = append(problems, p)
		if len(problems) <= 10 {
			s.log.Warn("damaged evtx file", "path", path, "problem", p.Error())
		}
	}}
	f, err := pevtx.Open(path, opts)
	if err != nil {
		s.tel.Errors.Inc()
		s.log.Error("import evtx file", "path", path, "err", err)
		s.finishJob(j, err)
		return
	}
	defer f.Close()
	if skipTo > 0 && f.Header().NextRecordID <= skipTo+1 {
		skipTo = 0 // the ids started again: a new log
	}
	if resume > 0 {
		if err := f.SeekRecord(resume); err != nil {
			s.log.Warn("resume evtx import: reading the file again", "path", path, "err", err)
		} else {
			var e event.Event
			if rec, err := f.Next(&e); err != nil || rec.ID != resumeID {
				s.log.Warn("resume evtx import: the record there changed; reading the file again", "path", path)
				f.Close()
				if f, err = pevtx.Open(path, opts); err != nil {
					s.finishJob(j, err)
					return
				}
				defer f.Close()
			}
		}
	}
	fields := []event.Field{{Name: "log.file.path", Value: event.String(path)}}
	var b *pipeline.Batch
	var last pevtx.Record
	submit := func() bool {
		if b == nil {
			return true
		}
		fl := &flight{offset: last.Offset, id: last.ID, n: len(b.Events)}
		s.mu.Lock()
		j.flights = append(j.flights, fl)
		s.mu.Unlock()
		batch := b
		b = nil
		batch.OnAck(func(err error) { s.ack(j, fl, err) })
		if err := in.Submit(ctx, batch); err != nil {
			if ctx.Err() == nil {
				s.tel.Errors.Inc()
				s.log.Error("submit evtx batch", "path", path, "err", err)
			}
			s.ack(j, fl, err)
			return false
		}
		return true
	}
	for ctx.Err() == nil {
		e := &event.Event{}
		rec, err := f.Next(e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.tel.Errors.Inc()
			s.log.Error("read evtx file", "path", path, "err", err)
			submit()
			s.finishJob(j, err)
			return
		}
		if skipTo > 0 && rec.ID <= skipTo {
			continue
		}
		e.ID = event.NewID(s.cfg.Tenant, s.cfg.Name, position(e, rec, j.st.Hash), 0, nil)
		if b == nil {
			b = &pipeline.Batch{Tenant: s.cfg.Tenant, Source: s.cfg.Name, Received: time.Now(), Fields: fields,
				Events: make([]*event.Event, 0, s.batch)}
		}
		b.Events = append(b.Events, e)
		last = rec
		s.tel.Received.Inc()
		if len(b.Events) >= s.batch && !submit() {
			s.finishJob(j, ctx.Err())
			return
		}
	}
	if ctx.Err() != nil {
		// Stopping: what was read but not submitted is read again later.
		s.finishJob(j, ctx.Err())
		return
	}
	if !submit() {
		s.finishJob(j, errors.New("submit failed"))
		return
	}
	st := f.Stats()
	s.tel.ReceivedBytes.Add(float64(j.st.Size))
	if st.Problems > 0 {
		s.tel.Errors.Inc()
		s.log.Warn("evtx file imported with damage", "path", path, "records", st.Records,
			"bad_records", st.BadRecords, "bad_chunks", st.BadChunks, "problems", st.Problems)
	}
	s.mu.Lock()
	j.st.Problems += st.Problems
	j.read = true
	s.settle(j)
	s.mu.Unlock()
}

// position is what makes an event's id: the record's computer, channel,
// record id and time, which a renamed or re-exported copy of the log
// shares; the file's hash and the record id when the record lacks them.
func position(e *event.Event, rec pevtx.Record, hash string) string {
	computer, channel := e.GetString(pevtx.FieldComputerName), e.GetString(pevtx.FieldChannel)
	if computer == "" || channel == "" {
		return "evtx:" + hash + "#" + strconv.FormatUint(rec.ID, 10)
	}
	return "evtx:" + computer + "/" + channel + "#" + strconv.FormatUint(rec.ID, 10) + "@" + strconv.FormatInt(e.Timestamp.UnixNano(), 10)
}

// finishJob ends an import that stopped early: its state keeps the last
// durable record and the file is considered again once its flights settle.
func (s *Source) finishJob(j *job, err error) {
	s.mu.Lock()
	j.read = true
	if err != nil {
		j.failed = true
	}
	s.settle(j)
	s.mu.Unlock()
}

// ack records the outcome of a flight and advances the file's state over
// the acknowledged prefix of its flights.
func (s *Source) ack(j *job, fl *flight, err error) {
	s.mu.Lock()
	if !fl.done {
		fl.done, fl.err = true, err
		if err != nil {
			j.failed = true
		}
		for len(j.flights) > 0 && j.flights[0].done && j.flights[0].err == nil {
			f0 := j.flights[0]
			j.flights = j.flights[1:]
			j.st.Offset, j.st.LastID = f0.offset, f0.id
			j.st.Records += int64(f0.n)
			j.st.Updated = time.Now()
			s.dirty = true
		}
		s.settle(j)
	}
	s.mu.Unlock()
	s.base.Ack()
}

// settle ends a job whose flights are all acknowledged; s.mu is held.
func (s *Source) settle(j *job) {
	if !j.read {
		return
	}
	for _, fl := range j.flights {
		if !fl.done {
			return
		}
	}
	if !j.failed {
		j.st.Done = true
		j.st.Updated = time.Now()
		s.log.Info("evtx file imported", "path", j.st.Path, "records", j.st.Records, "problems", j.st.Problems)
	}
	j.flights = nil
	delete(s.jobs, j.st.Path)
	s.dirty = true
}

// drain waits, up to the drain timeout, for every flight to be acknowledged.
func (s *Source) drain() {
	s.base.Drain(s.drainTimeout, "files", func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.jobs)
	})
}

// save writes the state when it changed (always when forced).
func (s *Source) save(force bool) {
	s.mu.Lock()
	if !s.dirty && !force {
		s.mu.Unlock()
		return
	}
	files := make([]*fileState, 0, len(s.state))
	for _, st := range s.state {
		c := *st
		files = append(files, &c)
	}
	s.dirty = false
	s.mu.Unlock()
	sort.Slice(files, func(i, k int) bool { return files[i].Path < files[k].Path })
	if !s.base.Save("evtx state", func() error { return saveState(s.stateDir, files) }) {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
	}
}
