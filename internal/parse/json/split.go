package json

import (
	"fmt"

	"github.com/vigilsiem/vigil/internal/jsontext"
	"github.com/vigilsiem/vigil/internal/parse"
)

// MaxSplitRecords bounds the elements one batch record may split into.
// Azure Event Hub and Azure Monitor deliver logs as {"records":[…]}; an
// Event Hub message is at most 1 MB, and the smallest Azure log records
// are a few hundred bytes, so a real batch holds a few thousand at most.
// The bound keeps one record from becoming an unbounded number of events
// (each costs an event in memory until its batch is stored): a record with
// more elements is dead-lettered whole, with the reason, by the pipeline.
const MaxSplitRecords = 5000

// ErrTooManyRecords is wrapped by Split's error for a batch record with
// more than MaxSplitRecords elements.
var ErrTooManyRecords = fmt.Errorf("%w: batch record has more than %d elements", parse.ErrFormat, MaxSplitRecords)

// Split recognises a batch record, a JSON object whose only member is
// "records" (Azure Event Hub, Azure Monitor export) or "Records" (an AWS
// CloudTrail log file) and whose value is an array of objects, and appends
// the exact bytes of each element to dst, with batch true (an empty batch
// appends nothing). For any other record, valid JSON or not, it returns dst
// unchanged and batch false: that record is parsed whole, as before. The
// elements alias data. A batch of more than MaxSplitRecords elements gives
// an error wrapping ErrTooManyRecords and no elements.
func Split(data []byte, dst [][]byte) (_ [][]byte, batch bool, err error) {
	start := len(dst)
	i := jsontext.SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return dst, false, nil
	}
	i = jsontext.SkipSpace(data, i+1)
	if i >= len(data) || data[i] != '"' {
		return dst, false, nil
	}
	end, plain, serr := jsontext.ScanString(data, i)
	if serr != nil || !plain {
		return dst, false, nil
	}
	if key := string(data[i+1 : end-1]); key != "records" && key != "Records" {
		return dst, false, nil
	}
	i = jsontext.SkipSpace(data, end)
	if i >= len(data) || data[i] != ':' {
		return dst, false, nil
	}
	i = jsontext.SkipSpace(data, i+1)
	if i >= len(data) || data[i] != '[' {
		return dst, false, nil
	}
	i = jsontext.SkipSpace(data, i+1)
	n := 0
	if i < len(data) && data[i] == ']' {
		i++
	} else {
		for {
			if i >= len(data) || data[i] != '{' {
				return dst[:start], false, nil
			}
			// The element's container, the array, is 2 deep.
			end, serr := jsontext.Skip(data, i, 2)
			if serr != nil {
				return dst[:start], false, nil
			}
			n++
			if n <= MaxSplitRecords {
				dst = append(dst, data[i:end:end])
			}
			i = jsontext.SkipSpace(data, end)
			if i < len(data) && data[i] == ',' {
				i = jsontext.SkipSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == ']' {
				i++
				break
			}
			return dst[:start], false, nil
		}
	}
	i = jsontext.SkipSpace(data, i)
	if i >= len(data) || data[i] != '}' {
		return dst[:start], false, nil
	}
	if jsontext.SkipSpace(data, i+1) != len(data) {
		return dst[:start], false, nil
	}
	if n > MaxSplitRecords {
		return dst[:start], true, fmt.Errorf("split records: %d elements: %w", n, ErrTooManyRecords)
	}
	return dst, true, nil
}
