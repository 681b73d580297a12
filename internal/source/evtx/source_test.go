package evtx

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	pevtx "github.com/vigilsiem/vigil/internal/parse/evtx"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// input collects submitted batches. It acknowledges the first ackFirst
// batches (all when negative) and holds the others, as a pipeline that
// stops before they are durable would.
type input struct {
	mu       sync.Mutex
	ackFirst int
	batches  []*pipeline.Batch
	events   []*event.Event
}

func (in *input) Submit(_ context.Context, b *pipeline.Batch) error {
	in.mu.Lock()
	in.batches = append(in.batches, b)
	in.events = append(in.events, b.Events...)
	ack := in.ackFirst < 0 || len(in.batches) <= in.ackFirst
	in.mu.Unlock()
	if ack {
		go b.Ack(nil)
	}
	return nil
}

func (in *input) count() (batches, events int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.batches), len(in.events)
}

// sample picks shared EVTX files with at least minRecords records, the
// smallest first, and returns up to n of them with their record counts.
func sample(t *testing.T, n, minRecords int) ([]string, []int) {
	t.Helper()
	root := testutil.SharedData(t, "evtx")
	type f struct {
		path string
		size int64
		recs int
	}
	var all []f
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".evtx") {
			all = append(all, f{p, info.Size(), 0})
		}
		return err
	})
	sort.Slice(all, func(i, k int) bool {
		return all[i].size < all[k].size || all[i].size == all[k].size && all[i].path < all[k].path
	})
	var paths []string
	var counts []int
	for _, c := range all {
		if len(paths) == n {
			break
		}
		if c.recs = countRecords(t, c.path); c.recs >= minRecords {
			paths = append(paths, c.path)
			counts = append(counts, c.recs)
		}
	}
	if len(paths) < n {
		t.Skipf("fewer than %d shared EVTX files with %d records", n, minRecords)
	}
	return paths, counts
}

func countRecords(t *testing.T, path string) int {
	f, err := pevtx.Open(path, pevtx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var e event.Event
	n := 0
	for {
		if _, err := f.Next(&e); errors.Is(err, io.EOF) {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testBatch is the events per batch in these tests, so that small files
// make several batches.
const testBatch = 50

type harness struct {
	t       *testing.T
	dataDir string
	logs    string
	metrics *pipeline.Metrics
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, dataDir: t.TempDir(), logs: t.TempDir(), metrics: pipeline.NewMetrics(nil)}
	return h
}

func (h *harness) source() *Source {
	h.t.Helper()
	cfg := Config{SourceCommon: config.SourceCommon{Name: "winlogs", Tenant: "acme"},
		Paths: []string{filepath.Join(h.logs, "*.evtx")}, PollInterval: config.Duration(20 * time.Millisecond),
		Settle: config.Duration(time.Nanosecond)}
	s, err := New(cfg, config.SourceEnv{DataDir: h.dataDir, Metrics: h.metrics})
	if err != nil {
		h.t.Fatal(err)
	}
	s.drainTimeout = 200 * time.Millisecond
	s.batch = testBatch
	return s
}

// run runs a source until cond holds (when it is not nil) and the source
// has then done a whole round, so that anything more it would submit has
// been submitted.
func (h *harness) run(in *input, cond func() bool) *Source {
	h.t.Helper()
	s := h.source()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, in) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Fatalf("run: %v", err)
		}
	}()
	if cond != nil && !testutil.Poll(testutil.WaitTimeout, cond) {
		_, n := in.count()
		h.t.Fatalf("condition not met in time (%d events)", n)
	}
	from := s.rounds.Load()
	testutil.Eventually(h.t, "a round of the source", func() bool { return s.rounds.Load() >= from+2 })
	return s
}

func (h *harness) state() map[string]*fileState {
	h.t.Helper()
	files, err := loadState(filepath.Join(h.dataDir, "state", "winlogs"))
	if err != nil {
		h.t.Fatal(err)
	}
	m := map[string]*fileState{}
	for _, f := range files {
		m[filepath.Base(f.Path)] = f
	}
	return m
}

func ids(events []*event.Event) map[string]bool {
	m := map[string]bool{}
	for _, e := range events {
		m[e.ID] = true
	}
	return m
}

func TestImportRestartAndNewFile(t *testing.T) {
	paths, counts := sample(t, 4, 5)
	h := newHarness(t)
	total := 0
	for i, p := range paths[:3] {
		copyFile(t, p, filepath.Join(h.logs, "log"+string(rune('a'+i))+".evtx"))
		total += counts[i]
	}

	in := &input{ackFirst: -1}
	h.run(in, func() bool { _, n := in.count(); return n >= total })
	if _, n := in.count(); n != total {
		t.Fatalf("%d events, want %d", n, total)
	}
	if got := len(ids(in.events)); got != total {
		t.Errorf("%d distinct ids for %d events", got, total)
	}
	for _, e := range in.events {
		if !strings.HasPrefix(e.Original, "<Event") || !e.Has(pevtx.FieldEventID) {
			t.Fatalf("event without XML or event id: %s", e.AppendJSON(nil))
		}
	}
	for _, b := range in.batches {
		if b.Tenant != "acme" || b.Source != "winlogs" || len(b.Fields) != 1 || b.Fields[0].Name != "log.file.path" {
			t.Fatalf("batch envelope: tenant %q source %q fields %v", b.Tenant, b.Source, b.Fields)
		}
	}
	st := h.state()
	for i := range 3 {
		name := "log" + string(rune('a'+i)) + ".evtx"
		if s := st[name]; s == nil || !s.Done || s.Records != int64(counts[i]) {
			t.Errorf("state of %s: %+v, want done with %d records", name, s, counts[i])
		}
	}

	// A restart reads nothing again.
	again := &input{ackFirst: -1}
	h.run(again, nil)
	if _, n := again.count(); n != 0 {
		t.Fatalf("restart submitted %d events again", n)
	}

	// A file added later is imported, and only it; a renamed copy of an
	// imported file is not.
	copyFile(t, paths[3], filepath.Join(h.logs, "logd.evtx"))
	copyFile(t, paths[0], filepath.Join(h.logs, "copy-of-loga.evtx"))
	later := &input{ackFirst: -1}
	h.run(later, func() bool { _, n := later.count(); return n >= counts[3] })
	if _, n := later.count(); n != counts[3] {
		t.Fatalf("new file: %d events, want %d", n, counts[3])
	}
	if st := h.state()["copy-of-loga.evtx"]; st == nil || !st.Done {
		t.Errorf("the renamed copy is not recorded as imported: %+v", st)
	}
}

// TestStableIDs: a renamed copy gives the same ids; ids do not depend on
// the path.
func TestStableIDs(t *testing.T) {
	paths, _ := sample(t, 1, 5)
	first := map[string]bool{}
	for i, name := range []string{"one.evtx", "two.evtx"} {
		h := newHarness(t)
		copyFile(t, paths[0], filepath.Join(h.logs, name))
		in := &input{ackFirst: -1}
		want := countRecords(t, paths[0])
		h.run(in, func() bool { _, n := in.count(); return n >= want })
		got := ids(in.events)
		if i == 0 {
			first = got
			continue
		}
		for id := range got {
			if !first[id] {
				t.Fatalf("id %s of the copy is not among the original's", id)
			}
		}
	}
}

// TestResume: the pipeline stops after two batches are durable; a restart
// goes on after them and nothing acknowledged is read again.
func TestResume(t *testing.T) {
	paths, counts := sample(t, 1, 3*testBatch+1)
	h := newHarness(t)
	copyFile(t, paths[0], filepath.Join(h.logs, "big.evtx"))
	in := &input{ackFirst: 2}
	h.run(in, func() bool { b, _ := in.count(); return b >= 3 })
	st := h.state()["big.evtx"]
	if st == nil || st.Done || st.Records != 2*testBatch || st.LastID == 0 {
		t.Fatalf("state after two durable batches: %+v", st)
	}
	acked := ids(in.events[:2*testBatch])

	rest := &input{ackFirst: -1}
	want := counts[0] - 2*testBatch
	h.run(rest, func() bool { _, n := rest.count(); return n >= want })
	if _, n := rest.count(); n != want {
		t.Fatalf("resumed import: %d events, want %d", n, want)
	}
	for id := range ids(rest.events) {
		if acked[id] {
			t.Fatalf("event %s was durable and is read again", id)
		}
	}
	if st := h.state()["big.evtx"]; !st.Done || st.Records != int64(counts[0]) {
		t.Errorf("final state: %+v", st)
	}
}

// TestDamagedFile: a truncated file is imported as far as it can be read,
// reported and counted.
func TestDamagedFile(t *testing.T) {
	paths, _ := sample(t, 1, 3*testBatch+1)
	h := newHarness(t)
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	cut := b[:min(len(b)-1, 4096+65536+30000)]
	damaged := filepath.Join(h.logs, "cut.evtx")
	if err := os.WriteFile(damaged, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	want := countRecords(t, damaged)
	if want == 0 {
		t.Skip("no record before the cut")
	}
	in := &input{ackFirst: -1}
	s := h.run(in, func() bool { _, n := in.count(); return n >= want })
	if _, n := in.count(); n != want {
		t.Fatalf("%d events from the damaged file, want %d", n, want)
	}
	if st := h.state()["cut.evtx"]; st == nil || !st.Done || st.Problems == 0 {
		t.Errorf("state of the damaged file: %+v", st)
	}
	var m dto.Metric
	if err := s.tel.Errors.Write(&m); err != nil {
		t.Fatal(err)
	}
	if errs := m.GetCounter().GetValue(); errs < 1 {
		t.Errorf("errors counted: %v", errs)
	}
}

func TestConfig(t *testing.T) {
	f := func(c Config, wantErr string) {
		t.Helper()
		err := c.Validate()
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("%+v: err %v, want %q", c, err, wantErr)
		}
	}
	f(Config{}, "paths")
	f(Config{Paths: []string{"["}}, "pattern")
	f(Config{Paths: []string{"*.evtx"}, Original: "json"}, "original")
	f(Config{Paths: []string{"*.evtx"}, PollInterval: config.Duration(time.Millisecond)}, "poll_interval")
	c := Config{Paths: []string{"*.evtx"}}
	f(c, "")
	if err := c.Validate(); err != nil || c.Original != OriginalXML || c.PollInterval.D() != DefaultPollInterval || c.Settle.D() != DefaultSettle {
		t.Errorf("defaults: %+v", c)
	}
	parsed, err := config.Parse([]byte("sources:\n - name: win\n   type: evtx\n   paths: [\"/logs/*.evtx\"]\n   original: none\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ec, ok := parsed.Sources[0].SourceConfig.(*Config); !ok || ec.Original != OriginalNone {
		t.Errorf("parsed source config: %#v", parsed.Sources[0].SourceConfig)
	}
}
