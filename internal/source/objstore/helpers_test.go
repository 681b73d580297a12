package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// memBucket is an in-memory Bucket whose opens can be made to fail.
type memBucket struct {
	mu       sync.Mutex
	objs     map[string]memObject
	openErrs map[string]int // key → opens left to fail
	breakAt  map[string]int // key → byte offset where reading breaks (once)
	finished []string
	version  int
	lists    int            // List calls begun
	opens    map[string]int // key → Open calls
}

type memObject struct {
	data []byte
	mod  time.Time
	etag string
}

func newMemBucket() *memBucket {
	return &memBucket{objs: map[string]memObject{}, openErrs: map[string]int{}, breakAt: map[string]int{},
		opens: map[string]int{}}
}

// waitPoll waits until the source has polled b from start to end at least
// once after the call: listed, and imported what it found ready. Tests
// wait on it to prove that a poll left something alone.
func (b *memBucket) waitPoll(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	from := b.lists
	b.mu.Unlock()
	// The listing after the next one begins once the next poll is over.
	eventually(t, "a whole poll", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.lists >= from+2
	})
}

// opened returns how often the object of key was opened.
func (b *memBucket) opened(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opens[key]
}

func (b *memBucket) put(key string, data []byte, mod time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version++
	b.objs[key] = memObject{data: data, mod: mod, etag: fmt.Sprintf("v%d", b.version)}
}

func (b *memBucket) remove(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objs, key)
}

func (b *memBucket) Name() string { return "mem" }

func (b *memBucket) List(ctx context.Context, after string, fn func(Object) error) error {
	b.mu.Lock()
	b.lists++
	var objs []Object
	for k, o := range b.objs {
		if after == "" || k > after {
			objs = append(objs, Object{Key: k, Size: int64(len(o.data)), ETag: o.etag, Modified: o.mod})
		}
	}
	b.mu.Unlock()
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	for _, o := range objs {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// brokenReader fails with a network-like error after n bytes.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	if len(p) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

func (b *memBucket) Open(ctx context.Context, o Object) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opens[o.Key]++
	if b.openErrs[o.Key] > 0 {
		b.openErrs[o.Key]--
		return nil, errors.New("503 slow down")
	}
	obj, ok := b.objs[o.Key]
	if !ok {
		return nil, errors.New("no such key")
	}
	var r io.Reader = bytes.NewReader(obj.data)
	if at, ok := b.breakAt[o.Key]; ok {
		delete(b.breakAt, o.Key)
		r = &brokenReader{r: r, n: at}
	}
	return io.NopCloser(r), nil
}

func (b *memBucket) Fields(o Object) []event.Field {
	return []event.Field{{Name: "log.file.path", Value: event.String("mem/" + o.Key)}}
}

// finishingBucket adds a Finisher.
type finishingBucket struct{ *memBucket }

func (b finishingBucket) Finish(_ context.Context, o Object) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.finished = append(b.finished, o.Key)
	delete(b.objs, o.Key)
	return nil
}

// sink is a pipeline.Input that acknowledges at once and keeps records
// and events; failNext batches fail.
type sink struct {
	mu       sync.Mutex
	records  []pipeline.Record
	events   []*event.Event
	fields   [][]event.Field
	failNext int
}

func (s *sink) Submit(ctx context.Context, b *pipeline.Batch) error {
	s.mu.Lock()
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		b.Ack(errors.New("sink: write failed"))
		return nil
	}
	s.records = append(s.records, b.Records...)
	s.events = append(s.events, b.Events...)
	s.fields = append(s.fields, b.Fields)
	s.mu.Unlock()
	b.Ack(nil)
	return nil
}

// lines returns the data of the records received, in order.
func (s *sink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.records))
	for i, r := range s.records {
		out[i] = string(r.Data)
	}
	return out
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records) + len(s.events)
}

// testSource builds a source over b with fast polling.
func testSource(t *testing.T, b Bucket, imp Import, dataDir string) *Source {
	t.Helper()
	if imp.PollInterval == 0 {
		imp.PollInterval = config.Duration(10 * time.Millisecond)
	}
	if err := imp.Validate(Defaults{}); err != nil {
		t.Fatal(err)
	}
	s, err := New(config.SourceCommon{Name: "t", Tenant: "default", Format: "auto"}, imp, b,
		config.SourceEnv{DataDir: dataDir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// running runs s until the returned stop is called.
func running(t *testing.T, s *Source, in pipeline.Input) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, in) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually waits for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, cond)
}

func numbered(prefix string, n int) []byte {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return []byte(b.String())
}
