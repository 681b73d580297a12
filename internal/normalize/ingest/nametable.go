package ingest

// nameTable maps field names to values, for the lookups a step makes for
// every field of every event (a batch rename). It hashes a name by its
// length and three of its bytes, so a lookup costs a few operations and
// one string comparison, against a Go map's hash of the whole string. It
// is built once and read-only after.
type nameTable[V any] struct {
	keys []string
	vals []V
	mask uint32
}

func hashName(s string) uint32 {
	n := uint32(len(s))
	return n*0x9E3779B1 ^ uint32(s[0])*0x85EBCA6B ^ uint32(s[n-1])*0xC2B2AE35 ^ uint32(s[n/2])*0x27D4EB2F
}

// newNameTable builds the table of m; the empty name is left out.
func newNameTable[V any](m map[string]V) *nameTable[V] {
	size := uint32(8)
	for size < uint32(4*len(m)) {
		size *= 2
	}
	t := &nameTable[V]{keys: make([]string, size), vals: make([]V, size), mask: size - 1}
	for k, v := range m {
		if k == "" {
			continue
		}
		i := hashName(k) & t.mask
		for t.keys[i] != "" {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.vals[i] = k, v
	}
	return t
}

// get returns the value of s, or nil.
func (t *nameTable[V]) get(s string) *V {
	if s == "" {
		return nil
	}
	for i := hashName(s) & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case s:
			return &t.vals[i]
		case "":
			return nil
		}
	}
}
