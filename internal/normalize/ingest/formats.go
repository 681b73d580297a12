package ingest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
	jsonparse "github.com/vigilsiem/vigil/internal/parse/json"
)

type csvOpts struct {
	Field        string   `yaml:"field"`
	TargetFields []string `yaml:"target_fields"`
	Separator    string   `yaml:"separator"`
	Quote        string   `yaml:"quote"`
	Trim         bool     `yaml:"trim"`
	EmptyValue   *string  `yaml:"empty_value"`
}

// buildCSV splits one line of separated values into target_fields; an
// empty target name skips that column, extra columns are ignored.
func buildCSV(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o csvOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if o.Field == "" {
		o.Field = event.FieldMessage
	}
	if len(o.TargetFields) == 0 {
		return nil, errors.New("target_fields is required")
	}
	sep, quote := byte(','), byte('"')
	if o.Separator != "" {
		if o.Separator == `\t` {
			o.Separator = "\t"
		}
		if len(o.Separator) != 1 {
			return nil, errors.New("separator: want one character")
		}
		sep = o.Separator[0]
	}
	if o.Quote != "" {
		if len(o.Quote) != 1 {
			return nil, errors.New("quote: want one character")
		}
		quote = o.Quote[0]
	}
	sets := make([]setter, len(o.TargetFields))
	for i, f := range o.TargetFields {
		if f != "" {
			sets[i] = setterFor(f)
		}
	}
	return func(e *event.Event) error {
		s, ok := text(e, o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		var first error
		var x fieldIndex
		x.reset(e)
		col := 0
		for col < len(sets) {
			var v string
			var last bool
			if o.Trim && sep != ' ' && sep != '\t' {
				// White space before an opening quote (`"a", "b"`)
				// is not part of the field: the quote still opens it.
				s = strings.TrimLeft(s, " \t")
			}
			v, s, last = csvField(s, sep, quote)
			if o.Trim {
				v = strings.TrimSpace(v)
			}
			if v == "" && o.EmptyValue != nil {
				v = *o.EmptyValue
			}
			if set := &sets[col]; set.name != "" && v != "" {
				if err := set.setIn(&x, event.String(v)); err != nil && first == nil {
					first = err
				}
			}
			col++
			if last {
				break
			}
		}
		return first
	}, nil
}

// csvField returns the first field of s, the rest after its separator, and
// whether it was the last.
func csvField(s string, sep, quote byte) (string, string, bool) {
	if len(s) > 0 && s[0] == quote {
		// Most quoted fields hold no doubled quote: they are a plain
		// substring, with no copy.
		if k := strings.IndexByte(s[1:], quote); k >= 0 && (k+2 >= len(s) || s[k+2] != quote) {
			v, rest := s[1:k+1], s[k+2:]
			if j := strings.IndexByte(rest, sep); j >= 0 {
				return v, rest[j+1:], false
			}
			return v, "", true
		}
		var b strings.Builder
		i := 1
		for i < len(s) {
			if s[i] == quote {
				if i+1 < len(s) && s[i+1] == quote {
					b.WriteByte(quote)
					i += 2
					continue
				}
				i++
				break
			}
			b.WriteByte(s[i])
			i++
		}
		rest := s[i:]
		if k := strings.IndexByte(rest, sep); k >= 0 {
			return b.String(), rest[k+1:], false
		}
		return b.String(), "", true
	}
	if k := strings.IndexByte(s, sep); k >= 0 {
		return s[:k], s[k+1:], false
	}
	return s, "", true
}

type jsonOpts struct {
	Field       string `yaml:"field"`
	TargetField string `yaml:"target_field"`
	AddToRoot   bool   `yaml:"add_to_root"`
}

// buildJSON parses a JSON object held in a field, with the JSON parser of
// the json format: nested objects are flattened with dots.
func buildJSON(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o jsonOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if o.Field == "" {
		o.Field = event.FieldMessage
	}
	prefix := ""
	if !o.AddToRoot {
		if o.TargetField == "" {
			o.TargetField = o.Field
		}
		prefix = o.TargetField + "."
	}
	scratch := newJSONScratchPool()
	return func(e *event.Event) error {
		var s string
		if v, ok := e.Get(o.Field); ok && v.Kind() == event.KindList {
			// An array of objects: the parser keeps each as JSON text; the
			// first is parsed.
			if l := v.List(); len(l) > 0 {
				s = l[0]
			}
		} else if s, ok = text(e, o.Field); !ok {
			return cm.missing(o.Field)
		}
		sc := scratch.Get().(*jsonScratch)
		defer func() {
			sc.tmp.Reset() // keep no value of this record in the pool
			sc.err = nil
			scratch.Put(sc)
		}()
		tmp := sc.parse(s)
		if tmp == nil {
			return fmt.Errorf("parse %s as JSON: %w", o.Field, sc.err)
		}
		if !o.AddToRoot && o.TargetField == o.Field {
			e.Delete(o.Field)
		}
		for _, f := range tmp.Fields {
			e.Set(sc.name(prefix, f.Name), f.Value)
		}
		return nil
	}, nil
}

// jsonScratch is what one json step reuses from call to call: the parser
// (with its cache of flattened names), the event it parses into and the
// target names. Each step keeps them in its own sync.Pool, so a call never
// shares them with another goroutine and the steady state allocates only
// the parsed values.
type jsonScratch struct {
	p     *jsonparse.Parser
	tmp   event.Event
	names map[string]string // parsed name → prefix+name
	err   error
}

// jsonNamesMax bounds the target names a json step's scratch remembers:
// the names come from the records, so an unbounded cache would grow with
// every new key an attacker sends.
const jsonNamesMax = 1024

func newJSONScratchPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		return &jsonScratch{p: jsonparse.New(), names: map[string]string{}}
	}}
}

// parse parses s into the scratch event and returns it, or nil with
// sc.err set. The fields' values share s's memory (Original = s makes
// the parser slice it instead of copying); the scratch event is cleared
// before each parse, so it holds no value past the next call.
func (sc *jsonScratch) parse(s string) *event.Event {
	sc.tmp.Reset()
	sc.tmp.Original = s
	if err := sc.p.Parse(unsafe.Slice(unsafe.StringData(s), len(s)), &sc.tmp); err != nil {
		sc.err = err
		sc.tmp.Reset()
		return nil
	}
	return &sc.tmp
}

// name returns prefix+n, remembered while the cache has room.
func (sc *jsonScratch) name(prefix, n string) string {
	if prefix == "" {
		return n
	}
	if t, ok := sc.names[n]; ok {
		return t
	}
	t := prefix + n
	if len(sc.names) < jsonNamesMax {
		sc.names[n] = t
	}
	return t
}
