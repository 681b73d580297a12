// Package objstoretest owns the test harness every import source runs: a
// fake pipeline that stores what it acknowledges, can stop acknowledging
// after a number of batches and can crash, and the exactly-once scenario
// (objects added over time, a crash in the middle, a restart) checked
// record by record.
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
	"github.com/vigilsiem/vigil/internal/testutil"
)

// Store is a fake pipeline: it acknowledges batches after Delay and keeps
// what it acknowledged, by event id, as a durable store would. Crash makes
// it fail every batch not acknowledged yet (the records are lost) until
// Recover. HoldAfter makes it stop acknowledging after a number of
// batches, so a test can crash it at a known point.
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
	acked   int // records acknowledged as stored
	batches int
	failN   int
	// holdLeft is how many more batches are acknowledged before the store
	// holds every later one (each keeping its slot) until Crash;
	// -1 when the store does not hold.
	holdLeft int
	heldN    int           // batches submitted since the hold began
	held     int           // batches held now
	crash    chan struct{} // closed by Crash: the held batches fail
}

// NewStore returns an empty store.
// capacity batches may wait at a time.
func NewStore(capacity int) *Store {
	return &Store{durable: map[string][]string{}, slots: make(chan struct{}, capacity), holdLeft: -1,
		crash: make(chan struct{})}
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
	// Batches are counted as they are submitted, in the source's order, so
	// the batch the store holds from does not depend on the scheduling of
	// the acknowledgements.
	hold := s.holdLeft == 0
	if s.holdLeft > 0 {
		s.holdLeft--
	}
	lose := hold && s.heldN == 0
	if hold {
		s.heldN++
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
		if lose {
			s.holdUntilCrash(b)
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
		if hold {
			s.holdUntilCrash(b)
			return
		}
		s.acked += b.Len()
		s.mu.Unlock()
		b.Ack(nil)
	}()
	return nil
}

// holdUntilCrash keeps b, and its slot, unacknowledged until Crash, then
// fails it. s.mu is held; it is released.
func (s *Store) holdUntilCrash(b *pipeline.Batch) {
	crash := s.crash
	s.held++
	s.mu.Unlock()
	<-crash
	b.Ack(pipeline.ErrStopped)
}

// HoldAfter makes the store acknowledge the next n batches submitted and
// then stop acknowledging, as a store that stalls: the first later batch
// is not written; the ones after it are written, as by parallel workers
// that finish out of order, but none is acknowledged. A held batch keeps
// its slot, so Submit soon blocks. Crash fails the batches held (what was
// written stays) and ends the hold.
func (s *Store) HoldAfter(n int) {
	s.mu.Lock()
	s.holdLeft = n
	s.mu.Unlock()
}

// Held returns the number of batches the store holds unacknowledged.
func (s *Store) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
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
	close(s.crash)
	s.crash = make(chan struct{})
	s.held, s.holdLeft, s.heldN = 0, -1, 0
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

// Acknowledged returns the number of records acknowledged as stored.
func (s *Store) Acknowledged() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acked
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

// start runs a source that saves its state after every acknowledgement,
// so the state file follows the store exactly.
func start(t *testing.T, h *Harness, env config.SourceEnv, store *Store) *run {
	src := h.NewSource(t, env)
	src.SetCheckpointInterval(0)
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
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("Run did not return after its context ended")
	}
}

// waitImported waits until the source has imported n objects and has
// nothing pending or in flight.
func (r *run) waitImported(t *testing.T, n int64) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d objects imported", n), func() bool {
		st := r.src.Stats()
		return st.Imported >= n && st.Pending == 0 && st.InFlight == 0
	})
	if st := r.src.Stats(); st.Imported != n || st.Failed != 0 {
		t.Fatalf("stats %+v, want %d imported and none failed", st, n)
	}
}

// holdBatches is after how many batches of the big object the store stops
// acknowledging: the crash falls after its record holdBatches×1000.
const holdBatches = 3

// ExactlyOnce runs the done-when scenario: objects (plain and gzip lines,
// a CloudTrail file, a flow log) are put into the bucket over time, one
// under a key that sorts before the keys already imported; the store stops
// acknowledging in the middle of a big object and the process "crashes"
// there (the batches in flight are lost and the state file is what the
// last save wrote, as after kill -9); more objects arrive while it is
// down; a new process imports the rest. Every record must then be stored
// under its expected event id, none missing and none extra; a record
// stored twice carries the same id and content. A third start imports
// only the one object added for it.
//
// Every step waits on state (the source's counts, the store, the state
// file), never on time: the crash point is where the store holds, and the
// source saves its state after each acknowledgement.
func ExactlyOnce(t *testing.T, h Harness) {
	dataDir := t.TempDir()
	env := config.SourceEnv{DataDir: dataDir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	const slots = 4
	store := NewStore(slots)
	store.Delay = time.Millisecond
	stateFile := filepath.Join(dataDir, "state", h.Name, "objects.json")

	objs := []object{
		h.lineObject("b/0001.log", 2500, false),
		h.lineObject("b/0002.log.gz", 1800, true),
		h.cloudTrailObject("ct/0001.json.gz", 1200),
		h.flowObject("vpc/0001.log", 1500),
		h.lineObject("a/0001.log", 300, false),   // sorts before everything listed
		h.lineObject("b/0003.log", 20000, false), // big: the crash falls in it
		h.lineObject("c/0001.log", 400, true),    // arrives while the import is stuck
		h.lineObject("b/0004.log", 700, false),   // arrives while the import is stuck
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
	r1.waitImported(t, 4)
	h.Put(t, objs[4].key, objs[4].data)
	r1.waitImported(t, 5)

	// The store stops acknowledging after holdBatches batches of the big
	// object. Its later batches fill the store's slots, so the batch that
	// took the last slot was submitted after every acknowledgement, and the
	// save that follows its submission records exactly the acknowledged
	// part.
	ackedBefore := store.Acknowledged()
	store.HoldAfter(holdBatches)
	big := objs[5].key
	h.Put(t, big, objs[5].data)
	var snapshot []byte
	testutil.Eventually(t, "the store to hold and the state file to record what it stored of "+big, func() bool {
		if store.Held() < slots {
			return false
		}
		b, err := os.ReadFile(stateFile)
		if err != nil {
			return false
		}
		if n := importing(t, b, big); n > 0 && n == int64(store.Acknowledged()-ackedBefore) {
			snapshot = b
			return true
		}
		return false
	})
	for _, o := range objs[6:8] {
		h.Put(t, o.key, o.data)
	}
	if st := r1.src.Stats(); st.InFlight == 0 {
		t.Fatalf("nothing in flight at the crash: %+v", st)
	}
	store.Crash()
	r1.stop(t)
	// kill -9 does not let the source write its state when it stops.
	if err := os.WriteFile(stateFile, snapshot, 0o644); err != nil {
		t.Fatal(err)
	}
	idsAtCrash, _ := store.Durable()
	for _, o := range objs[8:] {
		h.Put(t, o.key, o.data)
	}
	store.Recover()

	r2 := start(t, &h, env, store)
	r2.waitImported(t, int64(len(objs)-5)) // the big object and those after it
	st2 := r2.src.Stats()
	r2.stop(t)
	_, recordsAfter := store.Durable()

	check(t, want, store.Stored())
	if st2.Failed != 0 {
		t.Errorf("%d objects failed", st2.Failed)
	}
	t.Logf("%d records expected; %d stored at the crash; %d stored in all (%d again, with the same id)",
		len(want), idsAtCrash, recordsAfter, recordsAfter-len(want))
	if recordsAfter == len(want) {
		t.Error("no record was stored twice: the batches held at the crash were written, so the restart must write them again")
	}

	// A third start finds everything imported: only an object added for it
	// is imported. It sorts after every other key, so the first listing,
	// which sees everything, imports any object wrongly taken as new before
	// it.
	last := h.lineObject("z/0001.log", 5, false)
	h.Put(t, last.key, last.data)
	r3 := start(t, &h, env, store)
	r3.waitImported(t, 1)
	r3.stop(t)
	if _, n := store.Durable(); n != recordsAfter+len(last.records) {
		t.Errorf("a start after the import stored %d records, want only the %d of the new object", n-recordsAfter, len(last.records))
	}
	stored := store.Stored()
	for id := range last.records {
		if _, ok := stored[id]; !ok {
			t.Errorf("a record of the object added before the third start is missing")
			break
		}
	}
}

// importing returns how many records of key the state file b records as
// durable while key is being imported, or 0.
func importing(t *testing.T, b []byte, key string) int64 {
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
		if o.Key == key && o.Status == "importing" {
			return o.Records
		}
	}
	return 0
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
