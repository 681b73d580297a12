package json

import (
	"bytes"
	"fmt"

	"github.com/vigilsiem/vigil/internal/jsontext"
	"github.com/vigilsiem/vigil/internal/parse"
)

// MaxSplitRecords bounds the records one record may split into, all
// containers of it together (an Event Hub batch of NSG flow log records
// counts every tuple). Azure Event Hub and Azure Monitor deliver logs as
// {"records":[…]}; an Event Hub message is at most 1 MB, and the smallest
// Azure log records are a few hundred bytes, so a real batch holds a few
// thousand at most; CloudWatch Logs puts at most 10,000 log events in a
// PutLogEvents call but a subscription delivers them in payloads of at
// most 1 MB as well. The bound keeps one record from becoming an
// unbounded number of events (each costs an event in memory until its
// batch is stored): a record with more elements is dead-lettered whole,
// with the reason, by the pipeline.
const MaxSplitRecords = 5000

// ErrTooManyRecords is wrapped by Split's error for a batch record with
// more than MaxSplitRecords elements.
var ErrTooManyRecords = fmt.Errorf("%w: batch record has more than %d elements", parse.ErrFormat, MaxSplitRecords)

// Split recognises a record that carries many records and appends the
// bytes of each to dst, with batch true (an empty batch appends nothing):
//
//   - a top-level array of objects ([{…},{…}]: Auth0 log streams, Slack
//     audit pages, webhook senders): each object, its exact bytes;
//   - an object whose only member is "records" (Azure Event Hub, Azure
//     Monitor export) or "Records" (an AWS CloudTrail log file), or
//     "entries" beside an optional "response_metadata" (a Slack Audit
//     Logs API page), holding objects: each object, its exact bytes;
//   - and, at the top level or as an element of either, one of the
//     containers of split_containers.go (CloudWatch Logs subscription
//     payloads, Security Hub EventBridge events, NSG flow log records,
//     osquery snapshots).
//
// For any other record, valid JSON or not, it returns dst unchanged and
// batch false: that record is parsed whole, as before. A batch of more
// than MaxSplitRecords records gives an error wrapping ErrTooManyRecords
// and no elements. Exact elements alias data; the others are new bytes.
func Split(data []byte, dst [][]byte) (_ [][]byte, batch bool, err error) {
	i := jsontext.SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' && data[i] != '[' {
		return dst, false, nil
	}
	key := firstKey(data, i)
	if data[i] == '{' && !mayBeBatch(data, key) {
		return dst, false, nil // the common case: one record, no walk
	}
	s := splitter{dst: dst, start: len(dst)}
	var end int
	switch {
	case data[i] == '[':
		end, batch = s.elements(data, i)
	case string(key) == "records" || string(key) == "Records" || string(key) == "entries":
		end, batch = s.batchObject(data, i)
	default:
		var serr error
		if end, serr = jsontext.Skip(data, i, 0); serr == nil {
			batch = s.container(data[i:end:end])
		}
	}
	if !batch || jsontext.SkipSpace(data, end) != len(data) {
		return s.dst[:s.start], false, nil
	}
	if s.n > MaxSplitRecords {
		return s.dst[:s.start], true, fmt.Errorf("split records: %d elements: %w", s.n, ErrTooManyRecords)
	}
	return s.dst, true, nil
}

// splitter collects the records of one Split.
type splitter struct {
	dst   [][]byte
	start int
	n     int // records found, past the bound too
}

func (s *splitter) add(b []byte) {
	s.n++
	if s.n <= MaxSplitRecords {
		s.dst = append(s.dst, b)
	}
}

// elements checks the array at data[i] and adds each element, each
// container split further; it returns the index after the array, and
// false when the array is invalid JSON or holds anything but objects.
func (s *splitter) elements(data []byte, i int) (int, bool) {
	i = jsontext.SkipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, true
	}
	for {
		if i >= len(data) || data[i] != '{' {
			return 0, false
		}
		// The element's container, the array, is at most 2 deep.
		end, err := jsontext.Skip(data, i, 2)
		if err != nil {
			return 0, false
		}
		if obj := data[i:end:end]; !s.container(obj) {
			s.add(obj)
		}
		i = jsontext.SkipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = jsontext.SkipSpace(data, i+1)
			continue
		}
		if i < len(data) && data[i] == ']' {
			return i + 1, true
		}
		return 0, false
	}
}

// batchObject checks the object at data[i], whose first key is records,
// Records or entries, and adds that array's elements. It is a batch when
// that key is its only member, or, for entries, when the other is
// response_metadata (a Slack Audit Logs API page, whose next_cursor is no
// event).
func (s *splitter) batchObject(data []byte, i int) (int, bool) {
	members, meta := 0, 0
	name := ""
	i = jsontext.SkipSpace(data, i+1)
	for i < len(data) && data[i] == '"' {
		kend, plain, err := jsontext.ScanString(data, i)
		if err != nil {
			return 0, false
		}
		k := ""
		if plain {
			k = string(data[i+1 : kend-1])
		}
		i = jsontext.SkipSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		i = jsontext.SkipSpace(data, i+1)
		members++
		var end int
		switch {
		case members == 1 && i < len(data) && data[i] == '[':
			name = k
			var ok bool
			if end, ok = s.elements(data, i); !ok {
				return 0, false
			}
		default:
			if k == "response_metadata" && i < len(data) && data[i] == '{' {
				meta++
			}
			if end, err = jsontext.Skip(data, i, 1); err != nil {
				return 0, false
			}
		}
		i = jsontext.SkipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = jsontext.SkipSpace(data, i+1)
			if i >= len(data) || data[i] != '"' {
				return 0, false // a comma before '}'
			}
			continue
		}
		break
	}
	if i >= len(data) || data[i] != '}' || name == "" {
		return 0, false
	}
	if name == "entries" {
		members -= meta
	}
	return i + 1, members == 1
}

// firstKey returns the first key of the object at data[i] when it is
// plain text, else nil (also for an array).
func firstKey(data []byte, i int) []byte {
	if data[i] != '{' {
		return nil
	}
	i = jsontext.SkipSpace(data, i+1)
	if i >= len(data) || data[i] != '"' {
		return nil
	}
	end := bytes.IndexByte(data[i+1:], '"')
	if end < 0 || bytes.IndexByte(data[i+1:i+1+end], '\\') >= 0 {
		return nil
	}
	return data[i+1 : i+1+end]
}

// mayBeBatch reports, from the first key of an object alone, whether it
// may be a batch: records, Records or entries, or a key the senders of the
// containers of split_containers.go write first (CloudWatch Logs:
// messageType; EventBridge: version; osquery: snapshot, diffResults,
// action or name;
// Azure records: time or category). Only those records pay for the search
// for container keys; every other JSON record pays for reading its first
// key.
func mayBeBatch(data []byte, key []byte) bool {
	switch string(key) {
	case "records", "Records", "entries":
		return true
	case "messageType", "version", "snapshot", "action", "name", "time", "category", "diffResults":
		return containerKey(data)
	}
	return false
}

// span is the bytes data[s:e] of one JSON value.
type span struct{ s, e int }

// eachMember calls fn for each member of the valid JSON object at v, with
// the key's body when it is plain text (an escaped key is passed as nil,
// matching no name).
func eachMember(data []byte, v span, fn func(key []byte, val span)) {
	i := jsontext.SkipSpace(data, v.s+1)
	for i < v.e && data[i] == '"' {
		end, plain, err := jsontext.ScanString(data, i)
		if err != nil {
			return
		}
		var key []byte
		if plain {
			key = data[i+1 : end-1]
		}
		i = jsontext.SkipSpace(data, end)
		i = jsontext.SkipSpace(data, i+1) // ':'
		vend, err := jsontext.Skip(data, i, 1)
		if err != nil {
			return
		}
		fn(key, span{i, vend})
		i = jsontext.SkipSpace(data, vend)
		if i < v.e && data[i] == ',' {
			i = jsontext.SkipSpace(data, i+1)
		}
	}
}

// eachElement calls fn for each element of the valid JSON array at v.
func eachElement(data []byte, v span, fn func(el span)) {
	i := jsontext.SkipSpace(data, v.s+1)
	for i < v.e && data[i] != ']' {
		end, err := jsontext.Skip(data, i, 1)
		if err != nil {
			return
		}
		fn(span{i, end})
		i = jsontext.SkipSpace(data, end)
		if i < v.e && data[i] == ',' {
			i = jsontext.SkipSpace(data, i+1)
		}
	}
}

// member returns the value of the member key of the object at v.
func member(data []byte, v span, key string) (span, bool) {
	var found span
	ok := false
	eachMember(data, v, func(k []byte, val span) {
		if string(k) == key {
			found, ok = val, true
		}
	})
	return found, ok
}

// isString reports whether the value at v is the JSON string want
// (written without escapes).
func isString(data []byte, v span, want string) bool {
	return v.e-v.s == len(want)+2 && data[v.s] == '"' && string(data[v.s+1:v.e-1]) == want
}

// containerKey reports whether data holds one of the keys every container
// has: the cheap test that keeps the member walk off records that are no
// container. One pass from quote to quote; bytes.Contains per word costs
// ten times more on a record with many keys.
func containerKey(data []byte) bool {
	for i := 0; ; {
		k := bytes.IndexByte(data[i:], '"')
		if k < 0 || i+k+1 >= len(data) {
			return false
		}
		i += k + 1
		var word string
		switch data[i] {
		case 'l':
			word = `logEvents"`
		case 'f':
			word = `findings"`
			if len(data) > i+1 && data[i+1] == 'l' {
				word = `flowTuples"`
			}
		case 's':
			word = `snapshot"`
		case 'd':
			word = `diffResults"`
		default:
			continue
		}
		if len(data)-i >= len(word) && string(data[i:i+len(word)]) == word {
			return true
		}
	}
}
