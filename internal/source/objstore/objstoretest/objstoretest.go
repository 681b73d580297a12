// Package objstoretest owns the test harness every import source runs: a
// fake pipeline that stores what it acknowledges and can crash, and the
// exactly-once scenario (objects added over time, a crash in the middle, a
// restart) checked record by record.
package objstoretest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// Store is a fake pipeline: it acknowledges batches after Delay and keeps
// what it acknowledged, by event id, as a durable store would. Crash makes
// it fail every batch not acknowledged yet (the records are lost) until
// Recover.
type Store struct {
	// Delay is how long a batch waits before it is acknowledged.
	Delay time.Duration
	// slots bounds the batches waiting, as the pipeline's queue does:
	// Submit blocks while it is full.
	slots chan struct{}

	mu      sync.Mutex
	gen     int
	crashed bool
	durable map[string][]string // event id → the originals stored under it
	records int
	batches int
	failN   int
}

// NewStore returns an empty store.
// capacity batches may wait at a time.
func NewStore(capacity int) *Store {
	return &Store{durable: map[string][]string{}, slots: make(chan struct{}, capacity)}
}

// Submit implements pipeline.Input.
func (s *Store) Submit(ctx context.Context, b *pipeline.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	gen, crashed := s.gen, s.crashed
	fail := s.failN > 0
	if fail {
		s.failN--
	}
	s.mu.Unlock()
	if crashed {
		return pipeline.ErrStopped
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	go func() {
		defer func() { <-s.slots }()
		time.Sleep(s.Delay)
		s.mu.Lock()
		if s.crashed || s.gen != gen {
			s.mu.Unlock()
			b.Ack(pipeline.ErrStopped)
			return
		}
		if fail {
			s.mu.Unlock()
			b.Ack(errors.New("store: disk full"))
			return
		}
		tenant := b.Tenant
		for _, r := range b.Records {
			id := event.NewID(tenant, b.Source, r.Position, 0, r.Data)
			s.durable[id] = append(s.durable[id], string(r.Data))
			s.records++
		}
		for _, e := range b.Events {
			s.durable[e.ID] = append(s.durable[e.ID], e.Original)
			s.records++
		}
		s.batches++
		s.mu.Unlock()
		b.Ack(nil)
	}()
	return nil
}

// FailNext makes the next n batches fail as a store that cannot write.
func (s *Store) FailNext(n int) {
	s.mu.Lock()
	s.failN = n
	s.mu.Unlock()
}

// Crash fails every batch not acknowledged yet, and the batches submitted
// until Recover.
func (s *Store) Crash() {
	s.mu.Lock()
	s.crashed = true
	s.gen++
	s.mu.Unlock()
}

// Recover ends a crash.
func (s *Store) Recover() {
	s.mu.Lock()
	s.crashed = false
	s.mu.Unlock()
}

// Durable returns the number of distinct ids and of records stored.
func (s *Store) Durable() (ids, records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.durable), s.records
}

// Stored returns a copy of what is stored, by id.
func (s *Store) Stored() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string][]string, len(s.durable))
	for k, v := range s.durable {
		m[k] = append([]string(nil), v...)
	}
	return m
}

// Harness describes an import source to the exactly-once scenario.
type Harness struct {
	// Name and Tenant of the source; Bucket is the bucket name positions
	// start with.
	Name, Tenant, Bucket string
	// KeyPrefix is prepended to the keys the scenario puts.
	KeyPrefix string
	// Put stores an object.
	Put func(t *testing.T, key string, data []byte)
	// NewSource builds the source over the bucket with env's data
	// directory; it polls quickly (tens of milliseconds) and scans fully
	// often.
	NewSource func(t *testing.T, env config.SourceEnv) *objstore.Source
}

// object is one object the scenario puts, with the records it must give.
type object struct {
	key     string
	data    []byte
	records map[string]string // id → original
}

// lineObject builds an object of n lines, gzip-compressed when gz.
func (h *Harness) lineObject(key string, n int, gz bool) object {
	var b bytes.Buffer
	o := object{key: h.KeyPrefix + key, records: map[string]string{}}
	for i := 1; i <= n; i++ {
		line := fmt.Sprintf("%s line %d user=u%d action=login outcome=success bytes=%d", key, i, i%17, i*31)
		b.WriteString(line)
		b.WriteString("\n")
		pos := h.Bucket + "/" + o.key + "#" + fmt.Sprint(i)
		o.records[event.NewID(h.Tenant, h.Name, pos, 0, []byte(line))] = line
	}
	o.data = b.Bytes()
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(o.data)
		zw.Close()
		o.data = z.Bytes()
	}
	return o
}

// cloudTrailObject builds a gzip CloudTrail log file of n records.
func (h *Harness) cloudTrailObject(key string, n int) object {
	o := object{key: h.KeyPrefix + key, records: map[string]string{}}
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := 1; i <= n; i++ {
		rec := fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"u%d"},"eventTime":"2024-03-01T10:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.%d","eventID":"%s-%d"}`,
			i%5, i/60%60, i%60, i%250+1, key, i)
		if i > 1 {
			b.WriteString(",")
		}
		b.WriteString(rec)
		pos := h.Bucket + "/" + o.key + "#" + fmt.Sprint(i)
		o.records[event.NewID(h.Tenant, h.Name, pos, 0, []byte(rec))] = rec
	}
	b.WriteString(`]}`)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b.Bytes())
	zw.Close()
	o.data = z.Bytes()
	return o
}

// flowObject builds a VPC Flow Log file of n records after its header.
func (h *Harness) flowObject(key string, n int) object {
	o := object{key: h.KeyPrefix + key, records: map[string]string{}}
	var b bytes.Buffer
	b.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for i := 1; i <= n; i++ {
		line := fmt.Sprintf("2 123456789010 eni-0a%d 10.0.%d.%d 10.1.0.%d %d 443 6 %d %d 1700000000 1700000060 ACCEPT OK",
			i%7, i/250%250, i%250, i%200+1, 1024+i, i%40+1, i*50)
		b.WriteString(line + "\n")
		pos := h.Bucket + "/" + o.key + "#" + fmt.Sprint(i+1)
		o.records[event.NewID(h.Tenant, h.Name, pos, 0, []byte(line))] = line
	}
	o.data = b.Bytes()
	return o
}

// run is one life of the source.
type run struct {
	src    *objstore.Source
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, h *Harness, env config.SourceEnv, store *Store) *run {
	src := h.NewSource(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{src: src, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- src.Run(ctx, store) }()
	return r
}

func (r *run) stop(t *testing.T) {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// ExactlyOnce runs the done-when scenario: objects (plain and gzip lines,
// a CloudTrail file, a flow log) are put into the bucket over time, some
// under keys that sort before keys already imported; the process "crashes"
// in the middle of an object (the batches in flight are lost and the state
// file is what the last periodic save wrote, as after kill -9); more
// objects arrive while it is down; a new process imports the rest. Every
// record must then be stored under its expected event id, none missing and
// none extra; a record stored twice carries the same id and content. A
// third start imports nothing more.
func ExactlyOnce(t *testing.T, h Harness) {
	dataDir := t.TempDir()
	env := config.SourceEnv{DataDir: dataDir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	store := NewStore(4)
	store.Delay = 5 * time.Millisecond
	stateFile := filepath.Join(dataDir, "state", h.Name, "objects.json")

	objs := []object{
		h.lineObject("b/0001.log", 2500, false),
		h.lineObject("b/0002.log.gz", 1800, true),
		h.cloudTrailObject("ct/0001.json.gz", 1200),
		h.flowObject("vpc/0001.log", 1500),
		h.lineObject("b/0003.log", 100000, false), // big: the crash falls in it
		h.lineObject("c/0001.log", 400, true),
		h.lineObject("a/0001.log", 300, false), // sorts before everything listed
		h.lineObject("b/0004.log", 700, false),
		h.lineObject("a/0002.log.gz", 900, true), // arrives while the source is down
		h.lineObject("b/0005.log", 10, false),
		h.lineObject("empty.log", 0, false),
	}
	want := map[string]string{}
	for _, o := range objs {
		for id, rec := range o.records {
			want[id] = rec
		}
	}
	for _, o := range objs[:4] {
		h.Put(t, o.key, o.data)
	}

	r1 := start(t, &h, env, store)
	added := make(chan struct{})
	go func() {
		defer close(added)
		for _, o := range objs[4:8] {
			time.Sleep(40 * time.Millisecond)
			h.Put(t, o.key, o.data)
		}
	}()
	// Crash while the big object is being imported, once the state file
	// records part of it as durable: the restart must resume inside it.
	big := objs[4].key
	deadline := time.Now().Add(60 * time.Second)
	var snapshot []byte
	for {
		b, err := os.ReadFile(stateFile)
		if err == nil && importing(t, b, big) && r1.src.Stats().InFlight > 0 {
			snapshot = b
			break
		}
		if time.Now().After(deadline) {
			ids, _ := store.Durable()
			t.Fatalf("no partial import before the crash: %d ids stored, stats %+v", ids, r1.src.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	store.Crash()
	r1.stop(t)
	// kill -9 does not let the source write its state when it stops.
	if err := os.WriteFile(stateFile, snapshot, 0o644); err != nil {
		t.Fatal(err)
	}
	idsAtCrash, _ := store.Durable()
	<-added
	for _, o := range objs[8:] {
		h.Put(t, o.key, o.data)
	}
	store.Recover()

	r2 := start(t, &h, env, store)
	deadline = time.Now().Add(90 * time.Second)
	for {
		ids, _ := store.Durable()
		if ids >= len(want) {
			break
		}
		if time.Now().After(deadline) {
			missing := 0
			stored := store.Stored()
			for id := range want {
				if _, ok := stored[id]; !ok {
					missing++
				}
			}
			t.Fatalf("after the restart: %d of %d records stored (%d missing), stats %+v", ids, len(want), missing, r2.src.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Let the last acknowledgements reach the state file.
	for r2.src.Stats().InFlight > 0 || r2.src.Stats().Pending > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("objects still pending: %+v", r2.src.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	st2 := r2.src.Stats()
	r2.stop(t)
	_, recordsAfter := store.Durable()

	check(t, want, store.Stored())
	if st2.Failed != 0 {
		t.Errorf("%d objects failed", st2.Failed)
	}
	_, records := store.Durable()
	t.Logf("%d records expected; %d stored at the crash; %d stored in all (%d again, with the same id)",
		len(want), idsAtCrash, records, records-len(want))

	// A third start finds everything imported.
	r3 := start(t, &h, env, store)
	time.Sleep(300 * time.Millisecond)
	st3 := r3.src.Stats()
	r3.stop(t)
	if _, n := store.Durable(); n != recordsAfter {
		t.Errorf("a start after the import stored %d more records", n-recordsAfter)
	}
	if st3.Imported != 0 || st3.Pending != 0 {
		t.Errorf("a start after the import: %+v", st3)
	}
}

// importing reports whether the state file b records key as partly
// imported.
func importing(t *testing.T, b []byte, key string) bool {
	var sf struct {
		Objects []struct {
			Key     string `json:"key"`
			Status  string `json:"status"`
			Records int64  `json:"records"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(b, &sf); err != nil {
		t.Fatalf("state file: %v", err)
	}
	for _, o := range sf.Objects {
		if o.Key == key {
			return o.Status == "importing" && o.Records >= 1000
		}
	}
	return false
}

// check compares what is stored with what is wanted.
func check(t *testing.T, want map[string]string, stored map[string][]string) {
	t.Helper()
	var missing, extra, differ []string
	for id, rec := range want {
		got, ok := stored[id]
		if !ok {
			missing = append(missing, rec)
			continue
		}
		for _, g := range got {
			if g != rec {
				differ = append(differ, fmt.Sprintf("%s: %q, want %q", id, g, rec))
			}
		}
	}
	for id, got := range stored {
		if _, ok := want[id]; !ok {
			extra = append(extra, fmt.Sprintf("%s: %q", id, got[0]))
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra)+len(differ) > 0 {
		t.Fatalf("%d missing, %d unexpected, %d with other content; first of each:\n%s\n%s\n%s",
			len(missing), len(extra), len(differ), first(missing), first(extra), first(differ))
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.TrimSpace(s[0])
}
