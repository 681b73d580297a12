package entity

import "sort"

// seenValue is one value an entity showed: when first and last (the day
// index, Unix days) and on how many distinct days.
type seenValue struct {
	V       string `json:"v"`
	First   int64  `json:"f"`
	LastDay int32  `json:"l"`
	Days    uint16 `json:"d"`
	// AlertDay is the day a rarity alert was last raised for it, so a
	// rare value alerts at most once a day.
	AlertDay int32 `json:"a,omitempty"`
}

// valuesState is the baseline of a first_seen or rarity analytic: the
// values the entity showed, at most MaxValues (past it the least recently
// seen is replaced).
type valuesState struct {
	Since int64       `json:"since"`
	Vals  []seenValue `json:"vals"`
}

func dayOf(sec int64) int32 { return int32(floorDiv(sec, 86400)) }

// find returns the index of v, or -1.
func (s *valuesState) find(v []byte) int {
	for i := range s.Vals {
		if s.Vals[i].V == string(v) {
			return i
		}
	}
	return -1
}

// observe records v seen at t (Unix seconds) and returns its index, the
// number of earlier days it was seen on, and whether it is new.
func (s *valuesState) observe(v []byte, t int64, maxValues int) (int, int, bool) {
	d := dayOf(t)
	if i := s.find(v); i >= 0 {
		sv := &s.Vals[i]
		before := int(sv.Days)
		if sv.LastDay == d {
			before--
		}
		if d > sv.LastDay {
			sv.LastDay = d
			if sv.Days < 0xFFFF {
				sv.Days++
			}
		}
		if t < sv.First {
			sv.First = t
		}
		return i, before, false
	}
	nv := seenValue{V: string(v), First: t, LastDay: d, Days: 1}
	if len(s.Vals) < maxValues {
		s.Vals = append(s.Vals, nv)
		return len(s.Vals) - 1, 0, true
	}
	old := 0
	for i := range s.Vals {
		if s.Vals[i].LastDay < s.Vals[old].LastDay {
			old = i
		}
	}
	s.Vals[old] = nv
	return old, 0, true
}

// others lists the values other than v, most days first.
func (s *valuesState) others(v string, n int) []string {
	vals := make([]seenValue, 0, len(s.Vals))
	for _, sv := range s.Vals {
		if sv.V != v {
			vals = append(vals, sv)
		}
	}
	sort.Slice(vals, func(i, j int) bool {
		if vals[i].Days != vals[j].Days {
			return vals[i].Days > vals[j].Days
		}
		return vals[i].V < vals[j].V
	})
	out := make([]string, 0, min(n, len(vals)))
	for i := 0; i < len(vals) && i < n; i++ {
		out = append(out, vals[i].V)
	}
	return out
}

// peerStat counts, per tenant and rarity analytic, how many entities
// showed a value.
type peerStat struct {
	Peers   uint32 `json:"p"`
	LastDay int32  `json:"l"`
	// Ents are the hashes of the entities counted, while they are at most
	// maxPeerEntities: kept by the owner of the value when analytics are
	// sharded by entity (CountPeerFor), empty otherwise.
	Ents []uint64 `json:"e,omitempty"`
}
