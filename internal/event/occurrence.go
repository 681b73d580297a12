package event

import "github.com/zeebo/xxh3"

// DefaultOccurrenceWindow bounds the distinct records an Occurrences
// remembers: 4096 entries are about 100 KiB, so a thousand open syslog
// connections hold at most about 100 MiB for it. See Occurrences.
const DefaultOccurrenceWindow = 4096

// Occurrences counts byte-identical records within one delivery (an HTTP
// request body, a syslog connection), so that NewID can give each
// occurrence of a repeated record an id of its own while a replay of the
// same delivery, counting the same way, gets the same ids again.
//
// It remembers at most its window of distinct records. When a new record
// would pass the window, it forgets them all and starts a new epoch: the
// occurrences of later records then count on from the epoch's offset, so
// they never repeat an occurrence given before in the delivery, and the
// numbering stays a function of the delivery's bytes alone. The zero value
// is not ready; use NewOccurrences. It is not safe for concurrent use.
type Occurrences struct {
	// first is the hash of the first record, kept outside the map so that
	// a delivery of one record (a single-event request) allocates no map.
	first    uint64
	hasFirst bool
	seen     map[uint64]uint32
	window   int
	// epoch is added to every occurrence after the first epoch, so that a
	// record identical to one seen before the reset cannot get 0 again.
	epoch int
	// highest is the largest occurrence given so far.
	highest int
}

// NewOccurrences returns a counter remembering up to window distinct
// records (DefaultOccurrenceWindow when window <= 0).
func NewOccurrences(window int) *Occurrences {
	if window <= 0 {
		window = DefaultOccurrenceWindow
	}
	return &Occurrences{window: window}
}

// Next returns the occurrence of record: how many identical records came
// before it in this delivery (0 for the first), offset by the epoch.
//
// Records are told apart by their 64-bit XXH3 hash: two different records
// with one hash (about one chance in 1e15 within a window) only share a
// counter, and since their bytes differ their ids still differ.
func (o *Occurrences) Next(record []byte) int {
	h := xxh3.Hash(record)
	if o.seen == nil {
		if !o.hasFirst {
			o.first, o.hasFirst = h, true
			return 0
		}
		o.seen = make(map[uint64]uint32, 64)
		o.seen[o.first] = 1
	}
	n, ok := o.seen[h]
	if !ok && len(o.seen) >= o.window {
		clear(o.seen)
		o.epoch = o.highest + 1
	}
	o.seen[h] = n + 1
	occ := int(n)
	if o.epoch > 0 {
		occ += o.epoch
	}
	o.highest = max(o.highest, occ)
	return occ
}
