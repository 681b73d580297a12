package embedded

import (
	"bytes"
	"slices"
)

// Rows within a block are grouped by application (process.name), each
// group in time order: the lines of one program share most of their text,
// so zstd finds it in the page before. Blocks still hold the same rows
// (the next coldBlockRows in time order), so their time ranges, and what a
// time range or token filter skips, do not change. Measured on 200,000
// events of the bench mix (docs/storage.md): 85.9 bytes per event on disk
// in time order, 73.2 grouped by application (event.original 34.9 →
// 31.1 B), 75.9 by application then host (the host's groups cost
// @timestamp 2.6 B more: its deltas within a host are ~500× longer),
// 83.7 by host then application, 82.3 by vigil.pattern.id.

// streamKey is the member whose value groups a block's rows.
var streamKey = []byte(`,"process.name":"`)

// sortByStream groups the rows of each block (time order, blockRows
// each) by application, in the order of its first row in the block,
// keeping time order within a group. Each row sorts by one integer: the
// application's number, then its place in the block.
func sortByStream(rows []directRow, data [][]byte, blockRows int) {
	const posBits = 32
	var (
		keys []uint64
		perm []directRow
	)
	for start := 0; start < len(rows); start += blockRows {
		blk := rows[start:min(start+blockRows, len(rows))]
		keys = keys[:0]
		apps := map[string]uint64{}
		for pos, r := range blk {
			v := memberText(data[r.seg][r.off:r.end], streamKey)
			id, ok := apps[string(v)]
			if !ok {
				id = uint64(len(apps))
				apps[string(v)] = id
			}
			keys = append(keys, id<<posBits|uint64(pos))
		}
		slices.Sort(keys)
		perm = append(perm[:0], blk...)
		for i, k := range keys {
			blk[i] = perm[k&(1<<posBits-1)]
		}
	}
}

// memberText returns the raw (still escaped) text of the string member
// that starts with key (`,"name":"`), or nil. A quote inside a JSON
// string is escaped, so key matches only a member.
func memberText(line, key []byte) []byte {
	i := bytes.Index(line, key)
	if i < 0 {
		return nil
	}
	s := line[i+len(key):]
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return s[:j]
		}
	}
	return nil
}

// timeRange returns the oldest and newest @timestamp of rows.
func timeRange(rows []directRow) (lo, hi int64) {
	lo, hi = rows[0].ts, rows[0].ts
	for _, r := range rows[1:] {
		lo, hi = min(lo, r.ts), max(hi, r.ts)
	}
	return lo, hi
}
