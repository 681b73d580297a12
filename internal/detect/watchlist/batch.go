package watchlist

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

// Writes of rules inside a bus transaction (docs/watchlists.md "Several
// detect nodes"): the detect role processes each polled batch of events in
// one Kafka transaction, with the batch's alerts, hits and offsets. The
// watch-list ops the rules write while a batch is processed belong to that
// transaction too: ApplyIn collects them in the Batch that ctx carries
// instead of applying and publishing them, the role produces them in the
// transaction, and they reach every node, this one included, through the
// topic once the transaction commits (the readers of the topic read
// committed records only). An aborted transaction, or a node killed in the
// middle of a batch, leaves none of them anywhere: the next reader of the
// batch writes them anew, so each is counted once.
//
// Until the transaction commits and the node's reader applies them, the
// batch's ops are not in the lists: a rule later in the same batch does
// not see them (a rule's lookup reads what the topic committed).

// OpRecord is one op to publish: its record key and value.
type OpRecord struct {
	Key, Value []byte
}

// Batch collects the ops written by rules during one batch of a bus
// transaction. It is safe for concurrent use.
type Batch struct {
	mu   sync.Mutex
	recs []OpRecord
	refs map[string]struct{} // what the batch's puts write (for removals)
}

type batchKey struct{}

// WithBatch returns a context whose watch-list writes (ApplyIn) go to b.
func WithBatch(ctx context.Context, b *Batch) context.Context {
	return context.WithValue(ctx, batchKey{}, b)
}

func batchOf(ctx context.Context) *Batch {
	b, _ := ctx.Value(batchKey{}).(*Batch)
	return b
}

// Records returns the ops collected, in the order they were written.
func (b *Batch) Records() []OpRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]OpRecord(nil), b.recs...)
}

// add stamps o as a new op and encodes it.
func (b *Batch) add(o Op) error {
	o.V, o.ID = opVersion, newOpID()
	o.Time = o.Time.UTC()
	if err := o.check(); err != nil {
		return err
	}
	v, err := json.Marshal(&o)
	if err != nil {
		return fmt.Errorf("encode watch-list op: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.recs = append(b.recs, OpRecord{Key: OpKey(o.Tenant, o.List), Value: v})
	if o.Op == opPut {
		if b.refs == nil {
			b.refs = map[string]struct{}{}
		}
		b.refs[ref(&o)] = struct{}{}
	}
	return nil
}

// wrote reports whether the batch holds a put of what o writes.
func (b *Batch) wrote(o *Op) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.refs[ref(o)]
	return ok
}

// ApplyIn is Apply for a rule matched while a batch of events is processed:
// when ctx carries a Batch and the store replicates (a Publisher), the
// actions' ops go to the batch, not to the lists nor to the Publisher;
// otherwise it is Apply.
func (s *Store) ApplyIn(ctx context.Context, r *sigma.Rule, e *event.Event) {
	b := batchOf(ctx)
	if b == nil || s.opts.Publisher == nil || r.Watchlist == nil {
		s.Apply(r, e)
		return
	}
	tenant := tenantOf(e.Tenant)
	now := s.opts.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := range r.Watchlist.Actions {
		a := &r.Watchlist.Actions[i]
		key, ok := a.KeyOf(e)
		if !ok || validKey(key) != nil {
			s.m.noKey.Inc()
			continue
		}
		s.m.actions.Inc()
		o, ok := s.actionOp(a, tenant, key, e, now)
		if !ok {
			continue
		}
		if o.Op == opDel {
			if l := s.lists[listKey{tenant, a.List}]; (l == nil || l.entries[normKey(key)] == nil) && !b.wrote(&o) {
				continue // nothing to remove
			}
		}
		if err := b.add(o); err != nil {
			s.logRejected(a.List, err)
		}
	}
}
