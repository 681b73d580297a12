package awslog

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// Limits of the flattening of nested objects, with the reasons.
const (
	// MaxFlattenBytes: request parameters, response elements and the like
	// are flattened into fields only when their JSON text is at most this
	// long; bigger ones (IAM policies, long instance lists) keep the text
	// alone, so one event cannot add hundreds of columns to the store.
	MaxFlattenBytes = 8 << 10
	// MaxFlattenLeaves bounds the fields one flattened object adds.
	MaxFlattenLeaves = 64
	// maxDepth bounds the nesting followed; deeper values are kept as
	// their JSON text.
	maxDepth = 8
)

// snake turns a CloudTrail member name into the snake_case Elastic uses:
// eventID → event_id, sourceIPAddress → source_ip_address. Characters
// other than letters and digits become '_'.
func snake(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			if i > 0 && b.Len() > 0 {
				p := s[i-1]
				lowerBefore := p >= 'a' && p <= 'z' || p >= '0' && p <= '9'
				acronymEnd := p >= 'A' && p <= 'Z' && i+1 < len(s) && s[i+1] >= 'a' && s[i+1] <= 'z'
				if lowerBefore || acronymEnd {
					b.WriteByte('_')
				}
			}
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_':
			b.WriteByte(c)
		case c == '@' && i == 0:
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// scalar converts a decoded JSON scalar to a value; ok is false for null,
// objects and arrays.
func scalar(v any) (event.Value, bool) {
	switch x := v.(type) {
	case string:
		return event.String(x), true
	case bool:
		return event.Bool(x), true
	case json.Number:
		return number(string(x)), true
	}
	return event.Value{}, false
}

// number types a JSON number as written: an int when it has no fraction or
// exponent and fits, a float otherwise, its text when neither parses.
func number(s string) event.Value {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return event.Int(i)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return event.Float(f)
	}
	return event.String(s)
}

// text renders a decoded JSON value as text: strings as they are, other
// scalars as written, objects and arrays as compact JSON.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// list turns a JSON array into a list of texts, nulls left out.
func list(a []any) event.Value {
	items := make([]string, 0, len(a))
	for _, x := range a {
		if x != nil {
			items = append(items, text(x))
		}
	}
	return event.List(items)
}

// flattener writes nested values as dotted fields under a prefix.
type flattener struct {
	e      *event.Event
	snake  bool // convert member names to snake_case
	leaves int  // fields left to write; < 0 means no limit
}

// put writes v under name: scalars as typed values, arrays as lists,
// objects member by member (sorted, for a stable field order), deeper than
// maxDepth as JSON text.
func (f *flattener) put(name string, v any, depth int) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		if depth >= maxDepth {
			f.leaf(name, event.String(text(x)))
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := k
			if f.snake {
				sub = snake(k)
			}
			f.put(name+"."+sub, x[k], depth+1)
		}
	case []any:
		if len(x) > 0 {
			f.leaf(name, list(x))
		}
	default:
		if val, ok := scalar(x); ok {
			f.leaf(name, val)
		}
	}
}

func (f *flattener) leaf(name string, v event.Value) {
	if f.leaves == 0 {
		return
	}
	if f.leaves > 0 {
		f.leaves--
	}
	f.e.Set(name, v)
}

// countLeaves counts the fields put would write for v, stopping past limit.
func countLeaves(v any, limit int) int {
	switch x := v.(type) {
	case map[string]any:
		n := 0
		for _, sub := range x {
			n += countLeaves(sub, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	case nil:
		return 0
	case []any:
		if len(x) == 0 {
			return 0
		}
	}
	return 1
}
