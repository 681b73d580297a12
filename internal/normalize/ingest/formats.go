package ingest

import (
	"errors"
	"fmt"
	"strings"

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
		var tmp event.Event
		if err := jsonparse.New().Parse([]byte(s), &tmp); err != nil {
			return fmt.Errorf("parse %s as JSON: %w", o.Field, err)
		}
		if !o.AddToRoot && o.TargetField == o.Field {
			e.Delete(o.Field)
		}
		for _, f := range tmp.Fields {
			e.Set(prefix+f.Name, f.Value)
		}
		return nil
	}, nil
}
