package embedded

import (
	"bytes"
	"hash/maphash"
	"os"
	"sync"
)

// hotIDs is the set of the events in hot segments, by key (idKey): a
// write drops an event whose key is in it, so a replayed event (the same
// tenant, @timestamp and event.id: a bus redelivery after a crash, a
// resumed import, a client's retry) is stored once while its first copy is
// hot. The freeze keeps one row per key of its set (dedup), and a key
// leaves the set when a freeze has moved its segment to cold storage.
//
// A key enters the set only after its line is fsynced, so a write that
// drops a duplicate acknowledges an event that is stored already. Two
// writes of the same event at the same time can both store it; the freeze
// of their segments keeps one.
type hotIDs struct {
	mu sync.Mutex
	// The segment of each key is at least as new as the one holding its
	// line (the open segment when the write returned); the freeze of that
	// segment removes the key.
	keys  idTable
	limit int // hotIDLimit; smaller in tests
}

// idKey identifies an event: two independent 64-bit hashes of its
// event.id and tenant, each xor its @timestamp in microseconds. The full id is not
// kept (it would be read back from disk on each match); the set keeps 96
// of the 128 bits (idtable.go says what a collision costs and how rare it
// is). The seeds are random per process, so a client choosing ids cannot
// compute a collision offline (maphash is seeded, not cryptographic).
type idKey struct {
	a, b uint64
}

// hotIDLimit bounds the set: at 21 to 43 bytes of heap per key (idTable),
// 2M keys take at most 64 MiB. The default storage.hot_bytes (256 MiB)
// plus one freeze set hold about 460k events of the bench mix (1,166 bytes
// per hot event), so the bound is met only with a larger hot window.
// Beyond it a write stores events without remembering them (the freeze
// still keeps one copy per freeze set).
const hotIDLimit = 1 << 21

var idSeedA, idSeedB = maphash.MakeSeed(), maphash.MakeSeed()

func newHotIDs() *hotIDs { return &hotIDs{limit: hotIDLimit} }

// newIDKey keys an event by its @timestamp and its
// id","vigil.tenant":"tenant text: each half a seeded hash of the text
// xor the time, so two copies of one id at different times never share a
// key, and the low bits the set's table indexes by stay uniform.
func newIDKey(ts int64, both []byte) idKey {
	return idKey{a: maphash.Bytes(idSeedA, both) ^ uint64(ts), b: maphash.Bytes(idSeedB, both) ^ uint64(ts)}
}

// lineIDKey reads the key of an event line as the encoder writes it:
// @timestamp first, then event.id, then vigil.tenant. ok is false for a
// line with no id or an id written with escapes (the freeze's dedup skips
// those too).
func lineIDKey(line []byte) (k idKey, ok bool) {
	const pre = len(`{"@timestamp":"`)
	if len(line) < pre+28 || line[pre+26] != 'Z' || line[pre+27] != '"' || !bytes.HasPrefix(line, []byte(`{"@timestamp":"`)) {
		return k, false
	}
	ts, ok := parseMicros(line[pre : pre+27])
	if !ok {
		return k, false
	}
	rest := line[pre+28:]
	i := bytes.Index(rest, []byte(`,"event.id":"`))
	if i < 0 {
		return k, false
	}
	rest = rest[i+len(`,"event.id":"`):]
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || bytes.IndexByte(rest[:end], '\\') >= 0 || !bytes.HasPrefix(rest[end:], []byte(`","vigil.tenant":"`)) {
		return k, false
	}
	t := end + len(`","vigil.tenant":"`)
	tend := bytes.IndexByte(rest[t:], '"')
	if tend < 0 {
		return k, false
	}
	// id","vigil.tenant":"tenant names both: the id holds no quote.
	both := rest[:t+tend]
	return newIDKey(ts, both), true
}

func (h *hotIDs) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.keys.len()
}

// add remembers keys written to segment seq or an older one.
func (h *hotIDs) add(keys []idKey, seq uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range keys {
		if h.keys.len() >= h.limit || !h.keys.put(k, seq) {
			return
		}
	}
}

// frozen forgets the keys of segments up to last, now frozen. (Keeping
// the latest freeze's keys too would drop a replay just after a freeze,
// but the store's conformance suite, shared with ClickHouse, has a replay
// of frozen events stored again: see docs/storage.md.)
func (h *hotIDs) frozen(last uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keys.removeUpTo(last)
}

// rebuild reads the keys of the hot segments at start.
func (h *hotIDs) rebuild(segs []segment) error {
	var keys []idKey
	for _, s := range segs {
		data, err := os.ReadFile(s.path)
		if err != nil {
			return err
		}
		keys = keys[:0]
		for len(data) > 0 {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			if k, ok := lineIDKey(line); ok {
				keys = append(keys, k)
			}
		}
		h.add(keys, s.seq)
	}
	return nil
}

// batchKeys is a write's scratch: each encoded line's place and key.
type batchKeys struct {
	lines []lineKey
	seen  batchSet
	kept  []idKey
}

// batchSet is the set of the keys met earlier in a batch: an
// open-addressing table (linear probing) reused from batch to batch, its
// slots of an earlier batch told apart by a generation instead of being
// cleared. It holds whole keys, as a map[idKey]struct{} would (a Go map
// cost a hash and an insert per event: a third of markDuplicates).
type batchSet struct {
	slots []batchSlot // a power of two of them
	gen   uint32      // the current batch's; slots of other generations are empty
}

type batchSlot struct {
	key idKey
	gen uint32
}

// reset empties the set for a batch of up to n keys.
func (s *batchSet) reset(n int) {
	size := 64
	for size < 2*n {
		size *= 2
	}
	s.gen++
	if len(s.slots) < size || s.gen == 0 {
		s.slots = make([]batchSlot, size)
		s.gen = 1
	}
}

// add puts k in the set and reports whether it was in it already.
func (s *batchSet) add(k idKey) (found bool) {
	mask := len(s.slots) - 1
	for i := int(k.a) & mask; ; i = (i + 1) & mask {
		sl := &s.slots[i]
		if sl.gen != s.gen {
			sl.key, sl.gen = k, s.gen
			return false
		}
		if sl.key == k {
			return true
		}
	}
}

type lineKey struct {
	start, end int
	key        idKey
	ok, dup    bool
}

var batchKeysPool = sync.Pool{New: func() any { return &batchKeys{} }}

func getBatchKeys() *batchKeys {
	b := batchKeysPool.Get().(*batchKeys)
	b.lines, b.kept = b.lines[:0], b.kept[:0]
	return b
}

func putBatchKeys(b *batchKeys) {
	if cap(b.lines) <= 1<<16 && len(b.seen.slots) <= 1<<17 {
		batchKeysPool.Put(b)
	}
}

// markDuplicates marks the lines of a batch whose key is hot already or
// came earlier in the batch, collects the others' keys and returns how many
// it marked.
func (h *hotIDs) markDuplicates(b *batchKeys) int {
	dups := 0
	b.seen.reset(len(b.lines))
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range b.lines {
		l := &b.lines[i]
		if !l.ok {
			continue
		}
		if b.seen.add(l.key) || h.keys.contains(l.key) {
			l.dup = true
			dups++
			continue
		}
		b.kept = append(b.kept, l.key)
	}
	return dups
}

// dropDuplicates removes the marked lines from buf, the batch's lines.
func (b *batchKeys) dropDuplicates(buf []byte) []byte {
	out := buf[:0]
	for _, l := range b.lines {
		if !l.dup {
			out = append(out, buf[l.start:l.end]...)
		}
	}
	return out
}
