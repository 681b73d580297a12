package file

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// recorder is a pipeline.Input keeping records. With hold set, batches are
// kept unacknowledged until release; failNext makes the next ack an error.
type recorder struct {
	mu       sync.Mutex
	recs     []pipeline.Record
	batches  []*pipeline.Batch
	hold     bool
	held     []*pipeline.Batch
	failNext int
}

func (r *recorder) Submit(_ context.Context, b *pipeline.Batch) error {
	r.mu.Lock()
	if r.failNext > 0 {
		r.failNext--
		r.mu.Unlock()
		go b.Ack(errors.New("sink failed"))
		return nil
	}
	r.batches = append(r.batches, b)
	r.recs = append(r.recs, b.Records...)
	if r.hold {
		r.held = append(r.held, b)
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	go b.Ack(nil)
	return nil
}

func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.recs))
	for i, rec := range r.recs {
		out[i] = string(rec.Data)
	}
	return out
}

func (r *recorder) records() []pipeline.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pipeline.Record(nil), r.recs...)
}

// waitLines waits until as many lines as want arrived and the source r
// has then done a whole round (so anything it would read again has
// arrived too), and checks they are exactly want.
func (rec *recorder) waitLines(t *testing.T, r *running, want []string) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d lines", len(want)), func() bool { return len(rec.lines()) >= len(want) })
	r.waitRound(t)
	got := rec.lines()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %d lines %q\nwant %d lines %q", len(got), got, len(want), want)
	}
}

type running struct {
	s      *Source
	m      *pipeline.Metrics
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error
}

// waitRound waits until r has done a whole round (scan, read, checkpoint)
// begun after the call.
func (r *running) waitRound(t *testing.T) {
	t.Helper()
	from := r.s.rounds.Load()
	testutil.Eventually(t, "a round of the source", func() bool { return r.s.rounds.Load() >= from+2 })
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		if r.err != nil {
			t.Fatalf("run: %v", r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("source did not stop")
	}
}

func start(t *testing.T, cfg Config, dataDir string, in pipeline.Input, opts ...func(*Source)) *running {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "files"
	}
	cfg.Type = "file"
	if cfg.PollInterval == 0 {
		cfg.PollInterval = config.Duration(20 * time.Millisecond)
	}
	m := pipeline.NewMetrics(nil)
	s, err := New(cfg, config.SourceEnv{DataDir: dataDir, Metrics: m, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, m: m, cancel: cancel, done: make(chan struct{})}
	go func() { r.err = s.Run(ctx, in); close(r.done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
		}
	})
	return r
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func numbered(prefix string, from, to int) (lines []string, text string) {
	var b strings.Builder
	for i := from; i < to; i++ {
		l := fmt.Sprintf("%s line %04d", prefix, i)
		lines = append(lines, l)
		b.WriteString(l + "\n")
	}
	return lines, b.String()
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func TestTailBasics(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	want, text := numbered("a", 0, 5)
	appendFile(t, log, text+"partial without lf")
	appendFile(t, filepath.Join(dir, "other.txt"), "not matched\n")
	rec := &recorder{}
	r := start(t, Config{Paths: []string{filepath.Join(dir, "*.log")}}, t.TempDir(), rec)
	rec.waitLines(t, r, want)
	// The held line is completed, more lines follow.
	appendFile(t, log, " completed\r\nnext\n")
	want = append(want, "partial without lf completed", "next")
	rec.waitLines(t, r, want)
	// A new file matching the glob is picked up from its beginning.
	appendFile(t, filepath.Join(dir, "new.log"), "from new file\n")
	rec.waitLines(t, r, append(want, "from new file"))
	recs := rec.records()
	rec.mu.Lock()
	b := rec.batches[0]
	rec.mu.Unlock()
	if len(b.Fields) != 1 || b.Fields[0].Name != "log.file.path" || b.Fields[0].Value.Str() != log {
		t.Errorf("batch fields %v", b.Fields)
	}
	var st = mustStat(t, log)
	if want := fmt.Sprintf("%d:0", st); recs[0].Position != want {
		t.Errorf("position %q, want %q", recs[0].Position, want)
	}
	if want := fmt.Sprintf("%d:%d", st, len("a line 0000\n")); recs[1].Position != want {
		t.Errorf("position %q, want %q", recs[1].Position, want)
	}
}

func mustStat(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := identity(fi)
	if err != nil {
		t.Fatal(err)
	}
	return k.Ino
}

func TestRotationByRename(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	l1, t1 := numbered("old", 0, 100)
	appendFile(t, log, t1)
	rec := &recorder{}
	r := start(t, Config{Paths: []string{log}}, t.TempDir(), rec)
	rec.waitLines(t, r, l1)
	// logrotate: rename, the old writer still appends to the renamed
	// file, a new file appears under the name.
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	l2, t2 := numbered("late", 0, 10)
	appendFile(t, log+".1", t2+"unterminated last")
	l3, t3 := numbered("new", 0, 20)
	appendFile(t, log, t3)
	got := waitSet(t, r, rec, len(l1)+len(l2)+1+len(l3))
	want := append(append(append(append([]string{}, l1...), l2...), "unterminated last"), l3...)
	sameSet(t, got, want)
}

// waitSet waits for n lines, then for a whole round of the source r (so
// anything it would read again has arrived too), and returns them.
func waitSet(t *testing.T, r *running, rec *recorder, n int) []string {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d lines", n), func() bool { return len(rec.lines()) >= n })
	r.waitRound(t)
	return rec.lines()
}

// sameSet checks the lines arrived exactly once each (order between files
// may vary).
func sameSet(t *testing.T, got, want []string) {
	t.Helper()
	count := map[string]int{}
	for _, l := range got {
		count[l]++
	}
	for _, l := range want {
		count[l]--
	}
	for l, c := range count {
		if c != 0 {
			t.Errorf("line %q: %+d", l, c)
		}
	}
	if t.Failed() {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
}

func TestCopyTruncate(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	l1, t1 := numbered("before", 0, 50)
	appendFile(t, log, t1)
	rec := &recorder{}
	r := start(t, Config{Paths: []string{log}}, t.TempDir(), rec)
	rec.waitLines(t, r, l1)
	if err := os.Truncate(log, 0); err != nil {
		t.Fatal(err)
	}
	r.waitRound(t) // the source sees the file empty
	l2, t2 := numbered("after", 0, 5)
	appendFile(t, log, t2)
	rec.waitLines(t, r, append(append([]string{}, l1...), l2...))
	recs := rec.records()
	if p := recs[len(l1)].Position; !strings.Contains(p, ".1:0") {
		t.Errorf("position after truncation %q, want generation 1 at offset 0", p)
	}
	r.stop(t)
}

func TestTruncateAndRegrowDetectedByFingerprint(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	l1, t1 := numbered("first", 0, 3)
	appendFile(t, log, t1)
	rec := &recorder{}
	r := start(t, Config{Paths: []string{log}, PollInterval: config.Duration(300 * time.Millisecond)}, t.TempDir(), rec)
	rec.waitLines(t, r, l1)
	// Replace the content with more bytes than before, in place.
	l2, t2 := numbered("second-generation", 0, 6)
	if err := os.WriteFile(log, []byte(t2), 0o644); err != nil {
		t.Fatal(err)
	}
	rec.waitLines(t, r, append(append([]string{}, l1...), l2...))
}

func TestRestartFromCheckpoint(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	log := filepath.Join(dir, "app.log")
	l1, t1 := numbered("one", 0, 2500)
	appendFile(t, log, t1+"held")
	rec := &recorder{}
	cfg := Config{Paths: []string{filepath.Join(dir, "app.log*")}}
	r := start(t, cfg, data, rec)
	rec.waitLines(t, r, l1)
	r.stop(t)
	// While stopped: the held line is completed, lines are appended, the
	// file is rotated (to a name the glob matches) and a new one starts.
	appendFile(t, log, " and completed\n")
	l2, t2 := numbered("two", 0, 30)
	appendFile(t, log, t2)
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	l3, t3 := numbered("three", 0, 10)
	appendFile(t, log, t3)
	rec2 := &recorder{}
	r2 := start(t, cfg, data, rec2)
	got := waitSet(t, r2, rec2, 1+len(l2)+len(l3))
	sameSet(t, got, append(append([]string{"held and completed"}, l2...), l3...))
	r2.stop(t)
	// A third start has nothing to read.
	rec3 := &recorder{}
	r3 := start(t, cfg, data, rec3)
	r3.waitRound(t)
	r3.stop(t)
	if n := len(rec3.lines()); n != 0 {
		t.Fatalf("third start read %d lines again: %q", n, rec3.lines())
	}
}

// The checkpoint moves only when batches are acknowledged: lines whose
// batches were never acknowledged are read again after a restart.
func TestCheckpointWaitsForAck(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	log := filepath.Join(dir, "app.log")
	l1, t1 := numbered("x", 0, 20)
	appendFile(t, log, t1)
	rec := &recorder{hold: true}
	cfg := Config{Paths: []string{log}}
	r := start(t, cfg, data, rec, func(s *Source) { s.drainTimeout = 100 * time.Millisecond })
	rec.waitLines(t, r, l1)
	r.stop(t)
	rec2 := &recorder{}
	r2 := start(t, cfg, data, rec2)
	rec2.waitLines(t, r2, l1)
	r2.stop(t)
}

func TestFailedBatchIsReadAgain(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	l1, t1 := numbered("y", 0, 10)
	appendFile(t, log, t1)
	rec := &recorder{failNext: 1}
	r := start(t, Config{Paths: []string{log}}, t.TempDir(), rec)
	rec.waitLines(t, r, l1)
	if got := counter(r.m.Component("source", "files").Received); got != 20 {
		t.Errorf("received %v, want 20 (10 lines read twice)", got)
	}
}

func TestStartAtEndAndExclude(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	appendFile(t, log, "old line\n")
	appendFile(t, filepath.Join(dir, "skip.log"), "excluded\n")
	rec := &recorder{}
	r := start(t, Config{Paths: []string{filepath.Join(dir, "*.log")}, Exclude: []string{"skip.*"}, StartAt: StartEnd}, t.TempDir(), rec)
	r.waitRound(t) // the files there at the start were opened at their end
	appendFile(t, log, "new line\n")
	appendFile(t, filepath.Join(dir, "later.log"), "later file from its start\n")
	got := waitSet(t, r, rec, 2)
	sameSet(t, got, []string{"new line", "later file from its start"})
}

func TestLongLinesCut(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	appendFile(t, log, strings.Repeat("z", 5000)+"\nshort\n")
	rec := &recorder{}
	r := start(t, Config{Paths: []string{log}, MaxLineBytes: 1000}, t.TempDir(), rec)
	rec.waitLines(t, r, []string{strings.Repeat("z", 1000), "short"})
	if got := counter(r.m.Component("source", "files").Discarded); got != 1 {
		t.Errorf("discarded %v, want 1", got)
	}
}

func TestConfigValidate(t *testing.T) {
	f := func(c Config, wantErr string) {
		t.Helper()
		err := c.Validate()
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("Validate(%+v) = %v, want %q", c, err, wantErr)
		}
	}
	f(Config{}, "paths")
	f(Config{Paths: []string{"[x"}}, "pattern")
	f(Config{Paths: []string{"/x"}, StartAt: "middle"}, "start_at")
	f(Config{Paths: []string{"/x"}, MaxLineBytes: 1 << 30}, "max_line_bytes")
	f(Config{Paths: []string{"/x"}, PollInterval: config.Duration(time.Millisecond)}, "poll_interval")
	c := Config{Paths: []string{"/x"}}
	f(c, "")
	_ = c.Validate()
	if c.StartAt != StartBeginning || c.PollInterval.D() != DefaultPollInterval || c.MaxLineBytes != DefaultMaxLineBytes {
		t.Errorf("defaults %+v", c)
	}
	cfg, err := config.Parse([]byte("sources:\n  - {name: auth, type: file, paths: [/var/log/auth.log*], exclude: ['*.gz'], start_at: end}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if fc := cfg.Sources[0].SourceConfig.(*Config); fc.StartAt != StartEnd || fc.Exclude[0] != "*.gz" {
		t.Errorf("decoded %+v", fc)
	}
}

// Lines written while the source is restarted several times arrive
// exactly once. Each life of the source sees lines appended before and
// during it, and is stopped right after an append, while it may be
// reading.
func TestRestartsWhileWriting(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	log := filepath.Join(dir, "app.log")
	appendFile(t, log, "")
	const lives, chunk = 4, 1500
	want, _ := numbered("w", 0, lives*chunk)
	write := func(lines []string) {
		for len(lines) > 0 {
			n := min(100, len(lines))
			appendFile(t, log, strings.Join(lines[:n], "\n")+"\n")
			lines = lines[n:]
		}
	}
	cfg := Config{Paths: []string{log}}
	var got []string
	for i := 0; i < lives; i++ {
		rec := &recorder{}
		part := want[i*chunk : (i+1)*chunk]
		write(part[:chunk/2])
		r := start(t, cfg, data, rec)
		r.waitRound(t)
		write(part[chunk/2:])
		if i == lives-1 {
			waitSet(t, r, rec, len(want)-len(got))
		}
		r.stop(t)
		got = append(got, rec.lines()...)
	}
	sameSet(t, got, want)
}
