package watchlist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Replication over the bus (docs/watchlists.md "Several detect nodes",
// docs/format/watchlist-ops.md): with a Publisher, every write of this
// store (a rule's action, an API write or import, a list made, changed or
// deleted) is applied here at once, logged, and published as an Op; every
// node reads every partition of the topic and applies each Op it did not
// write through ApplyWatchlistRecord, recording the offset it reached per
// partition in the same log line, so that a restart resumes there. The
// writes of rules matched in a batch of a bus transaction are the
// exception (batch.go): they are published in the transaction and applied
// here only when read back.
//
// Ops state operations, not states (an increment is "+1", not "count is
// 7"): two nodes incrementing one key concurrently must both count. All
// ops of one list are published with one key, so one partition orders
// them and every node applies them in that order. A node's own op was
// applied when it was written; when it comes back from the topic it is
// applied again (adds, value and count sets and removals are idempotent)
// except for its increment, which is counted once: unless an op that
// precedes it in the topic (a removal, a count set, a list deletion)
// wiped the key meanwhile, in which case the increment is applied again
// after it, as the topic's order says. So every node ends with the state
// of the topic's order, whatever order the writes were made in.

// opVersion is the version of the Op record.
const opVersion = 1

// MaxOpIDLen bounds an op's id (a 32-digit hex number is written).
const MaxOpIDLen = 64

// PublishWaitTimeout bounds how long an API write (and the engine's flush
// after a batch) waits for the bus to acknowledge the ops it published:
// as long as the bus's own publish timeout.
const PublishWaitTimeout = 30 * time.Second

// Op kinds.
const (
	opPut   = "put"   // add, increment or set an entry
	opDel   = "del"   // remove an entry
	opList  = "list"  // make a list or change its settings
	opDList = "dlist" // delete a list and its entries
)

// Op is one replicated write (docs/format/watchlist-ops.md).
type Op struct {
	V      int    `json:"v"`
	ID     string `json:"id"`
	Op     string `json:"op"`
	Tenant string `json:"tenant"`
	List   string `json:"list"`
	Key    string `json:"key,omitempty"`
	Value  string `json:"value,omitempty"`
	// SetValue: the op sets the value (else it keeps the entry's).
	SetValue bool `json:"set_value,omitempty"`
	// Delta is added to the count; Count, when given, sets it instead.
	Delta    int64     `json:"delta,omitempty"`
	Count    *int64    `json:"count,omitempty"`
	TTL      Duration  `json:"ttl,omitempty"`
	Settings *Settings `json:"settings,omitempty"`
	Time     time.Time `json:"time"`
}

// Publisher hands ops to the bus (bus.WatchlistPublisher): Publish
// queues one record and returns at once, keeping the order of the calls;
// Wait returns once every record published before the call is
// acknowledged by the brokers, or with the error of one that failed.
type Publisher interface {
	Publish(key, value []byte)
	Wait(ctx context.Context) error
}

// OpKey is the record key of an op: tenant, NUL, list, so that the ops of
// one list share a partition and its order.
func OpKey(tenant, list string) []byte {
	return append(append([]byte(tenant), 0), list...)
}

// DecodeOp reads and checks an op record.
func DecodeOp(b []byte) (Op, error) {
	var o Op
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("decode watch-list op: %w", err)
	}
	if err := o.check(); err != nil {
		return o, fmt.Errorf("decode watch-list op: %w", err)
	}
	o.Time = o.Time.UTC()
	return o, nil
}

func (o *Op) check() error {
	if o.V != opVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrInvalid, o.V, opVersion)
	}
	if o.ID == "" || len(o.ID) > MaxOpIDLen {
		return fmt.Errorf("%w: id of %d bytes", ErrInvalid, len(o.ID))
	}
	if err := event.ValidTenant(o.Tenant); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := validName(o.List); err != nil {
		return err
	}
	if o.Time.IsZero() {
		return fmt.Errorf("%w: no time", ErrInvalid)
	}
	switch o.Op {
	case opPut, opDel:
		if err := validKey(o.Key); err != nil {
			return err
		}
		if len(o.Value) > MaxValueLen {
			return fmt.Errorf("%w: value of %d bytes, over %d", ErrInvalid, len(o.Value), MaxValueLen)
		}
		if o.TTL < 0 {
			return fmt.Errorf("%w: negative ttl", ErrInvalid)
		}
	case opList:
		if o.Settings == nil || o.Settings.TTL < 0 || o.Settings.MaxEntries < 0 {
			return fmt.Errorf("%w: list op without valid settings", ErrInvalid)
		}
	case opDList:
	default:
		return fmt.Errorf("%w: unknown op %q", ErrInvalid, o.Op)
	}
	return nil
}

// replica is the replication state: this node's ops not yet read back
// from the topic, and the next offset to read per partition.
type replica struct {
	pendingOps map[string]*Op                 // by id
	byRef      map[string]map[string]struct{} // key ref → pending op ids
	offsets    map[int32]int64
}

func newReplica() *replica {
	return &replica{pendingOps: map[string]*Op{}, byRef: map[string]map[string]struct{}{}, offsets: map[int32]int64{}}
}

// ref names what an op writes: tenant, list and normalised key (list ops:
// tenant and list).
func ref(o *Op) string {
	r := o.Tenant + "\x00" + o.List + "\x00"
	if o.Op == opPut || o.Op == opDel {
		r += normKey(o.Key)
	}
	return r
}

func (r *replica) add(o *Op) {
	k := ref(o)
	c := *o
	r.pendingOps[o.ID] = &c
	if r.byRef[k] == nil {
		r.byRef[k] = map[string]struct{}{}
	}
	r.byRef[k][o.ID] = struct{}{}
}

func (r *replica) drop(id string) {
	o, ok := r.pendingOps[id]
	if !ok {
		return
	}
	k := ref(o)
	delete(r.pendingOps, id)
	delete(r.byRef[k], id)
	if len(r.byRef[k]) == 0 {
		delete(r.byRef, k)
	}
}

// wipe forgets the pending ops of what o overwrote: they are applied in
// full when they come back.
func (r *replica) wipe(o *Op) {
	k := ref(o)
	if o.Op == opDList {
		for rk, ids := range r.byRef {
			if strings.HasPrefix(rk, k) {
				for id := range ids {
					r.drop(id)
				}
			}
		}
		return
	}
	for id := range r.byRef[k] {
		r.drop(id)
	}
}

func newOpID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// applyOp changes the state as o says, at o's time; it logs nothing. The
// caller holds the write lock.
func (s *Store) applyOp(o *Op) error {
	k := listKey{o.Tenant, o.List}
	t := o.Time
	l := s.lists[k]
	if l == nil && o.Op != opDel && o.Op != opDList {
		l = &list{info: Info{Tenant: o.Tenant, Name: o.List, Created: t, Updated: t}, entries: map[string]*Entry{}}
		s.lists[k] = l
	}
	switch o.Op {
	case opList:
		l.info.Settings = *o.Settings
		touch(&l.info.Updated, t)
	case opDList:
		delete(s.lists, k)
	case opDel:
		if l != nil {
			delete(l.entries, normKey(o.Key))
		}
	case opPut:
		nk := normKey(o.Key)
		e := l.entries[nk]
		if e == nil || e.expired(t) {
			if e == nil && len(l.entries) >= s.maxOf(l) {
				s.m.rejectedFull.Inc()
				return fmt.Errorf("%w: %s holds %d entries", ErrFull, l.info.Name, len(l.entries))
			}
			e = &Entry{Key: o.Key, Created: t}
			l.entries[nk] = e
		}
		if t.Before(e.Created) {
			e.Created = t
		}
		if o.SetValue {
			e.Value = o.Value
		}
		if o.Count != nil {
			e.Count = *o.Count
		} else {
			e.Count += o.Delta
		}
		if o.TTL != 0 {
			e.TTL = o.TTL
		}
		touch(&e.Updated, t)
		e.Expires = expiry(l, e, e.Updated)
		touch(&l.info.Updated, t)
	}
	return nil
}

// touch moves *u to t when t is later: the last write's time, whatever
// order the writes were applied in.
func touch(u *time.Time, t time.Time) {
	if t.After(*u) {
		*u = t
	}
}

// own applies a write of this node, logs it and publishes it; the caller
// holds the write lock.
func (s *Store) own(o Op) error {
	o.V, o.ID = opVersion, newOpID()
	if o.Time.IsZero() {
		o.Time = s.opts.Now()
	}
	o.Time = o.Time.UTC()
	if err := s.applyOp(&o); err != nil {
		return err
	}
	s.rep.add(&o)
	s.append(record{Op: "rop", Own: true, Rep: &o})
	v, err := json.Marshal(&o)
	if err != nil {
		return fmt.Errorf("encode watch-list op: %w", err)
	}
	s.opts.Publisher.Publish(OpKey(o.Tenant, o.List), v)
	return nil
}

// applyRemote applies an op read from the topic; the caller holds the
// write lock.
func (s *Store) applyRemote(o *Op) {
	if _, mine := s.rep.pendingOps[o.ID]; mine {
		s.rep.drop(o.ID)
		if o.Op == opPut && o.Count == nil && o.Delta != 0 {
			c := *o
			c.Delta = 0 // counted when it was written here
			o = &c
		}
	}
	if err := s.applyOp(o); err != nil {
		s.logRejected(o.List, err)
	}
	if o.Op == opDel || o.Op == opDList || o.Op == opPut && o.Count != nil {
		s.rep.wipe(o)
	}
	s.m.replicated.Inc()
}

// ApplyWatchlistRecord applies the op record at offset of partition
// (bus.ConsumeWatchlists calls it for every record of the topic, in
// order per partition). A record before the partition's recorded offset
// was applied already and is skipped; one that does not decode is
// skipped, counted, and its error returned.
func (s *Store) ApplyWatchlistRecord(partition int32, offset int64, value []byte) error {
	o, derr := DecodeOp(value)
	s.mu.Lock()
	defer s.mu.Unlock()
	if offset < s.rep.offsets[partition] {
		return nil
	}
	s.rep.offsets[partition] = offset + 1
	p := partition
	if derr != nil {
		s.m.badOps.Inc()
		s.append(record{Op: "offs", Part: &p, Off: offset})
		return derr
	}
	s.applyRemote(&o)
	s.append(record{Op: "rop", Rep: &o, Part: &p, Off: offset})
	return nil
}

// WatchlistOffsets returns the next offset to read per partition (absent:
// from the start), as the persisted state left it.
func (s *Store) WatchlistOffsets() map[int32]int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[int32]int64, len(s.rep.offsets))
	for p, o := range s.rep.offsets {
		out[p] = o
	}
	return out
}

// Pending returns how many of this node's ops have not been read back
// from the topic yet.
func (s *Store) Pending() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.rep.pendingOps)
}

// waitPublished waits until the bus acknowledged the ops published so far.
func (s *Store) waitPublished() error {
	if s.opts.Publisher == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), PublishWaitTimeout)
	defer cancel()
	if err := s.opts.Publisher.Wait(ctx); err != nil {
		return fmt.Errorf("publish watch-list writes: %w", err)
	}
	return nil
}

// applyRecordOp replays a replication line of the log (record ops rop,
// pend and offs); the caller owns the store.
func (s *Store) applyRecordOp(r record) error {
	switch r.Op {
	case "offs":
		if r.Part == nil {
			return errors.New("offs record without a partition")
		}
		s.rep.offsets[*r.Part] = r.Off + 1
		return nil
	}
	if r.Rep == nil {
		return fmt.Errorf("%s record without an op", r.Op)
	}
	if err := r.Rep.check(); err != nil {
		return err
	}
	switch {
	case r.Op == "pend":
		s.rep.add(r.Rep)
	case r.Own:
		if err := s.applyOp(r.Rep); err != nil {
			return nil // rejected when written too: replaying rejects it again
		}
		s.rep.add(r.Rep)
	default:
		if r.Part == nil {
			return errors.New("rop record without a partition")
		}
		s.rep.offsets[*r.Part] = r.Off + 1
		s.applyRemote(r.Rep)
	}
	return nil
}
