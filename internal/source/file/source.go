package file

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
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/resume"
)

// RotateGrace is how long a file that left the globs (renamed away or
// deleted) is still read after it last grew, for the writer that had it
// open to finish: logrotate's postrotate signal takes a moment to reach it.
const RotateGrace = 2 * time.Second

// Source tails files.
type Source struct {
	cfg Config
	// base is the state directory, telemetry, logger and drain shared
	// with the other resuming sources; stateDir, tel and log are its.
	base     resume.Base
	stateDir string
	tel      *pipeline.Telemetry
	log      *slog.Logger
	buf      []byte

	// mu guards the acknowledgement state of the tailers (their flights,
	// committed offsets, generation and fingerprint), the tailers map and
	// dirty. The Run goroutine owns everything else.
	mu       sync.Mutex
	tailers  map[fileKey]*tailer
	saved    map[fileKey]checkpointEntry
	dirty    bool
	lastSave time.Time
	// drainTimeout is DrainTimeout; tests shorten it.
	drainTimeout time.Duration
	// rounds counts the rounds of Run done (scan, read, checkpoint):
	// tests wait on it to know the source looked and found nothing more.
	rounds atomic.Int64
}

// tailer follows one file.
type tailer struct {
	key       fileKey
	path      string
	openPath  string
	fields    []event.Field
	f         *os.File
	size      int64
	ls        *lineSplitter
	gone      bool
	lastGrow  time.Time
	finished  bool // read to its end after leaving the globs
	closed    bool
	positionP []byte
	tsv       TSVHeader // the file's Zeek-style TSV header, if it has one

	// Guarded by Source.mu.
	fp        fingerprint
	gen       int
	flights   []*flight
	committed int64
	failed    bool
}

// flight is a batch of a tailer the pipeline has not acknowledged yet.
type flight struct {
	gen  int
	end  int64
	done bool
	err  error
}

// New builds a file source; its checkpoint lives under
// env.DataDir/state/<name>.
func New(cfg Config, env config.SourceEnv) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("file source %s: %w", cfg.Name, err)
	}
	if err := cfg.CheckTenant(); err != nil {
		return nil, err
	}
	b, err := resume.New("file source", cfg.Name, env)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, base: b, stateDir: b.StateDir, tel: b.Tel, log: b.Log,
		tailers: map[fileKey]*tailer{}, buf: make([]byte, 64<<10), drainTimeout: DrainTimeout}, nil
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Run implements pipeline.Source: it tails until ctx ends, then waits (up
// to DrainTimeout) for the batches in flight and saves the checkpoint.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	entries, err := loadCheckpoint(s.stateDir)
	if err != nil {
		return fmt.Errorf("file source %s: %w", s.cfg.Name, err)
	}
	s.saved = make(map[fileKey]checkpointEntry, len(entries))
	for _, e := range entries {
		s.saved[e.fileKey] = e
	}
	defer s.closeAll()
	poll := s.cfg.PollInterval.D()
	first := true
	for ctx.Err() == nil {
		s.scan(first)
		if first {
			// Checkpointed files that are gone now are forgotten.
			s.saved = nil
			s.dirty = true
			first = false
		}
		more := s.readRound(ctx, in)
		s.maybeSave(false)
		s.rounds.Add(1)
		if !more {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
	}
	s.drain()
	s.maybeSave(true)
	return nil
}

// excluded reports whether a path matches an exclude pattern.
func (s *Source) excluded(path string) bool { return resume.Excluded(s.cfg.Exclude, path) }

// scan globs the paths, opens new files and marks files that left.
func (s *Source) scan(first bool) {
	matches := map[fileKey]string{}
	for _, pattern := range s.cfg.Paths {
		paths, _ := filepath.Glob(pattern) // patterns were validated
		sort.Strings(paths)
		for _, p := range paths {
			if s.excluded(p) {
				continue
			}
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			key, err := identity(fi)
			if err != nil {
				s.log.Error("file identity", "path", p, "err", err)
				continue
			}
			if _, dup := matches[key]; !dup {
				matches[key] = p
			}
		}
	}
	for key, t := range s.tailers {
		if p, ok := matches[key]; ok {
			t.path, t.gone = p, false
			delete(matches, key)
		} else if !t.gone {
			t.gone = true
			s.log.Info("file left the paths (rotated or deleted); reading it to its end", "path", t.path)
		}
	}
	for _, p := range matches {
		if err := s.open(p, first); err != nil {
			s.tel.Errors.Inc()
			s.log.Warn("open file to tail", "path", p, "err", err)
		}
	}
}

// open starts tailing the file at path: where the checkpoint left it, or
// at the configured start for a file first seen at start-up, or at 0.
func (s *Source) open(path string, first bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	key, err := identity(fi)
	if err != nil {
		f.Close()
		return err
	}
	if _, ok := s.tailers[key]; ok {
		// The path was replaced between the glob and the open by a file
		// we already tail.
		f.Close()
		return nil
	}
	size := fi.Size()
	offset, gen, how := int64(0), 0, "from the beginning"
	if e, ok := s.lookupSaved(key, f); ok {
		if e.Offset <= size {
			offset, gen, how = e.Offset, e.Gen, "from the checkpoint"
		} else {
			gen, how = e.Gen+1, "from the beginning (truncated since the checkpoint)"
		}
	} else if first && s.cfg.StartAt == StartEnd {
		offset, how = size, "from the end"
	}
	fp, err := readFingerprint(f, size)
	if err != nil {
		f.Close()
		return err
	}
	t := &tailer{key: key, path: path, openPath: path, f: f, size: size, ls: newLineSplitter(int(s.cfg.MaxLineBytes), offset),
		fields: []event.Field{{Name: "log.file.path", Value: event.String(path)}}, lastGrow: time.Now(),
		fp: fp, gen: gen, committed: offset}
	if offset > 0 {
		t.tsv = readTSVHeader(f, offset, int(s.cfg.MaxLineBytes))
	}
	s.mu.Lock()
	s.tailers[key] = t
	s.dirty = true
	s.mu.Unlock()
	s.log.Info("tailing file", "path", path, "offset", offset, "start", how)
	return nil
}

// lookupSaved finds the checkpoint entry of a file: by device and inode,
// or by inode alone when the device number changed (after a reboot), and
// only when the file still starts with the fingerprinted bytes (else the
// inode was reused by a new file).
func (s *Source) lookupSaved(key fileKey, f *os.File) (checkpointEntry, bool) {
	e, ok := s.saved[key]
	if !ok {
		for k, c := range s.saved {
			if k.Ino == key.Ino {
				if m, _ := c.fingerprint.matches(f); m && c.Len > 0 {
					e, ok = c, true
					break
				}
			}
		}
	}
	if !ok {
		return e, false
	}
	delete(s.saved, e.fileKey)
	if m, err := e.fingerprint.matches(f); err != nil || !m {
		return e, false
	}
	return e, true
}

// readRound reads what each file has, up to readBudget each, and reports
// whether some file has more.
func (s *Source) readRound(ctx context.Context, in pipeline.Input) bool {
	more := false
	for _, t := range s.tailers {
		if t.finished || ctx.Err() != nil {
			continue
		}
		if s.rewindIfFailed(t) {
			continue
		}
		if s.readFile(ctx, in, t) {
			more = true
		}
	}
	s.reap()
	return more
}

// rewindIfFailed handles a batch the pipeline failed: once every batch of
// the file is settled, reading restarts at the last durable offset. It
// reports whether the tailer must wait.
func (s *Source) rewindIfFailed(t *tailer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !t.failed {
		return false
	}
	for _, fl := range t.flights {
		if !fl.done {
			return true
		}
	}
	s.log.Warn("a batch was not stored; reading the file again from the last durable line", "path", t.path, "offset", t.committed)
	t.flights, t.failed, t.finished = nil, false, false
	t.ls.reset(t.committed)
	return false
}

// checkTruncation notices a file that shrank below the read offset or
// whose first bytes changed (copy-and-truncate). It returns the reason, or
// "" when the file goes on where it was; ok is false when the file could
// not be examined.
func (s *Source) checkTruncation(t *tailer) (reason string, ok bool) {
	fi, err := t.f.Stat()
	if err != nil {
		s.tel.Errors.Inc()
		s.log.Warn("stat tailed file", "path", t.path, "err", err)
		return "", false
	}
	size := fi.Size()
	if size == t.size {
		return "", true
	}
	s.mu.Lock()
	fp := t.fp
	s.mu.Unlock()
	if size < t.ls.next() {
		reason = "shrank"
	} else if m, err := fp.matches(t.f); err == nil && !m {
		reason = "its first bytes changed"
	}
	if reason != "" || fp.Len < FingerprintBytes && size > int64(fp.Len) {
		if nfp, err := readFingerprint(t.f, size); err == nil {
			fp = nfp
		}
	}
	s.mu.Lock()
	t.fp = fp
	s.mu.Unlock()
	t.size = size
	t.lastGrow = time.Now()
	return reason, true
}

// readFile reads one file up to the budget, submitting its lines in
// batches. It reports whether the budget ran out before the end.
func (s *Source) readFile(ctx context.Context, in pipeline.Input, t *tailer) bool {
	bs := &batchSender{s: s, t: t, ctx: ctx, in: in}
	reason, ok := s.checkTruncation(t)
	if !ok {
		return false
	}
	if reason != "" {
		// A line held back from the old content is handed on as it is;
		// the new content is read from its first byte.
		s.log.Info("file truncated; reading it from the beginning", "path", t.path, "reason", reason)
		t.ls.flush(bs.emit)
		bs.send()
		t.ls.reset(0)
		s.mu.Lock()
		t.gen++
		t.committed = 0
		s.dirty = true
		s.mu.Unlock()
		bs.failed = false
	}
	read := 0
	eof := false
	for read < readBudget && !bs.failed {
		n, err := t.f.ReadAt(s.buf, t.ls.next())
		if n > 0 {
			t.ls.feed(s.buf[:n], bs.emit)
			read += n
		}
		if errors.Is(err, io.EOF) || n == 0 && err == nil {
			eof = true
			break
		}
		if err != nil {
			s.tel.Errors.Inc()
			s.log.Warn("read tailed file", "path", t.path, "err", err)
			eof = true
			break
		}
	}
	if eof && t.gone && time.Since(t.lastGrow) >= RotateGrace && !bs.failed {
		// The file left the globs and stopped growing: hand on its
		// unterminated last line and stop reading it. reap closes it once
		// its batches are durable.
		t.ls.flush(bs.emit)
		t.finished = true
		s.log.Info("finished rotated or deleted file", "path", t.path)
	}
	bs.send()
	return !eof && !bs.failed
}

// reap closes and forgets finished files whose batches are all durable.
func (s *Source) reap() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.tailers {
		if t.finished && len(t.flights) == 0 && !t.failed {
			t.f.Close()
			t.closed = true
			delete(s.tailers, k)
			s.dirty = true
		}
	}
}

// batchSender collects a file's lines into batches and submits them.
type batchSender struct {
	s      *Source
	t      *tailer
	ctx    context.Context
	in     pipeline.Input
	b      *pipeline.Batch
	bytes  int
	failed bool
}

func (bs *batchSender) emit(line []byte, start int64, cut bool) {
	if cut {
		bs.s.tel.Discarded.Inc()
	}
	if len(line) == 0 || bs.failed || bs.t.tsv.HeaderLine(line, start) {
		return
	}
	if bs.b != nil && (len(bs.b.Records) >= pipeline.DefaultMaxBatchRecords || bs.bytes+len(line) > pipeline.DefaultMaxBatchBytes) {
		// The lines so far end where this one starts.
		bs.submit(start)
		if bs.failed {
			return
		}
	}
	if bs.b == nil {
		bs.b = &pipeline.Batch{Tenant: bs.s.cfg.Tenant, Source: bs.s.cfg.Name, Format: bs.s.cfg.Format,
			Received: time.Now(), Fields: bs.t.fields, Records: make([]pipeline.Record, 0, 64)}
		bs.bytes = 0
	}
	bs.b.Records = append(bs.b.Records, pipeline.Record{Data: append([]byte(nil), line...), Position: bs.position(start),
		Fields: bs.t.tsv.AppendFields(nil, line)})
	bs.bytes += len(line)
	bs.s.tel.Received.Inc()
	bs.s.tel.ReceivedBytes.Add(float64(len(line)))
}

// position is "<inode>:<offset>", or "<inode>.<gen>:<offset>" after a
// truncation.
func (bs *batchSender) position(offset int64) string {
	t := bs.t
	p := strconv.AppendUint(t.positionP[:0], t.key.Ino, 10)
	if t.gen > 0 {
		p = append(p, '.')
		p = strconv.AppendInt(p, int64(t.gen), 10)
	}
	p = append(p, ':')
	p = strconv.AppendInt(p, offset, 10)
	t.positionP = p
	return string(p)
}

// send submits the last batch, covering every complete line read.
func (bs *batchSender) send() {
	if bs.b != nil && !bs.failed {
		bs.submit(bs.t.ls.consumed)
	}
}

// submit hands the batch to the pipeline as a flight ending at end.
func (bs *batchSender) submit(end int64) {
	s, t, b := bs.s, bs.t, bs.b
	bs.b = nil
	s.mu.Lock()
	fl := &flight{gen: t.gen, end: end}
	t.flights = append(t.flights, fl)
	s.mu.Unlock()
	b.OnAck(func(err error) { s.ack(t, fl, err) })
	if err := bs.in.Submit(bs.ctx, b); err != nil {
		if bs.ctx.Err() == nil {
			s.tel.Errors.Inc()
			s.log.Error("submit file batch", "path", t.path, "err", err)
		}
		bs.failed = true
		s.ack(t, fl, err)
	}
}

// ack records the outcome of a flight and advances the committed offset
// over the settled prefix of the file's flights.
func (s *Source) ack(t *tailer, fl *flight, err error) {
	s.mu.Lock()
	if fl.done {
		s.mu.Unlock()
		return
	}
	fl.done, fl.err = true, err
	if err != nil {
		t.failed = true
	}
	for len(t.flights) > 0 && t.flights[0].done && t.flights[0].err == nil {
		f0 := t.flights[0]
		t.flights = t.flights[1:]
		if f0.gen == t.gen {
			t.committed = f0.end
			s.dirty = true
		}
	}
	s.mu.Unlock()
	s.base.Ack()
}

// drain waits, up to DrainTimeout, for every flight to be acknowledged.
func (s *Source) drain() {
	s.base.Drain(s.drainTimeout, "batches", func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		pending := 0
		for _, t := range s.tailers {
			for _, fl := range t.flights {
				if !fl.done {
					pending++
				}
			}
		}
		return pending
	})
}

// maybeSave writes the checkpoint when it changed, at most every
// CheckpointInterval unless forced.
func (s *Source) maybeSave(force bool) {
	s.mu.Lock()
	if !s.dirty || !force && time.Since(s.lastSave) < CheckpointInterval {
		s.mu.Unlock()
		return
	}
	entries := make([]checkpointEntry, 0, len(s.tailers)+len(s.saved))
	for _, t := range s.tailers {
		entries = append(entries, checkpointEntry{fileKey: t.key, fingerprint: t.fp, Gen: t.gen, Offset: t.committed, Path: t.path})
	}
	for _, e := range s.saved {
		entries = append(entries, e)
	}
	s.dirty = false
	s.lastSave = time.Now()
	s.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	if !s.base.Save("file checkpoint", func() error { return saveCheckpoint(s.stateDir, entries) }) {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
	}
}

func (s *Source) closeAll() {
	for _, t := range s.tailers {
		if !t.closed {
			t.f.Close()
			t.closed = true
		}
	}
}
