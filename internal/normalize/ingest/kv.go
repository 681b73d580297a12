package ingest

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

type kvOpts struct {
	Field         string            `yaml:"field"`
	FieldSplit    string            `yaml:"field_split"`
	ValueSplit    string            `yaml:"value_split"`
	TargetField   string            `yaml:"target_field"`
	Prefix        string            `yaml:"prefix"`
	IncludeKeys   []string          `yaml:"include_keys"`
	ExcludeKeys   []string          `yaml:"exclude_keys"`
	TrimKey       string            `yaml:"trim_key"`
	TrimValue     string            `yaml:"trim_value"`
	StripBrackets bool              `yaml:"strip_brackets"`
	Rename        map[string]string `yaml:"rename"`
}

// buildKV splits key=value text. Values in double or single quotes may hold
// the separators; the quotes are removed. rename maps keys straight to
// their output fields (an extension over Elastic's kv that saves a rename
// step on every event).
func buildKV(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o kvOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if o.Field == "" {
		o.Field = event.FieldMessage
	}
	if o.FieldSplit == "" {
		o.FieldSplit = " "
	}
	if o.ValueSplit == "" {
		o.ValueSplit = "="
	}
	if o.FieldSplit == o.ValueSplit {
		return nil, errors.New("field_split and value_split are the same")
	}
	prefix := o.Prefix
	if o.TargetField != "" {
		prefix = o.TargetField + "." + prefix
	}
	// The prefixed names are cached: no concatenation per key per event.
	var names *nameCache
	if prefix != "" {
		names = newNameCache(func(k string) string { return prefix + k })
	}
	include := setOf(o.IncludeKeys)
	exclude := setOf(o.ExcludeKeys)
	type out struct {
		name string
		set  setter
	}
	renames := make(map[string]out, len(o.Rename))
	for k, v := range o.Rename {
		renames[k] = out{v, setterFor(v)}
	}
	_, renameEmpty := renames[""] // the name table holds no empty key
	renamed := newNameTable(renames)
	trimSplit := newCutset(o.FieldSplit)
	return func(e *event.Event) error {
		s, ok := text(e, o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		var first error
		var x fieldIndex
		x.reset(e)
		n := 0
		for len(s) > 0 {
			s = trimSplit.trimLeft(s)
			if s == "" {
				break
			}
			j := strings.Index(s, o.ValueSplit)
			if j <= 0 {
				break
			}
			// A key holds no field separator: text before one is a stray word.
			if k := strings.Index(s[:j], o.FieldSplit); k >= 0 {
				s = s[k:]
				continue
			}
			key := s[:j]
			s = s[j+len(o.ValueSplit):]
			var val string
			if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
				q := s[0]
				end := quotedEnd(s, q)
				if end >= len(s) {
					val, s = s[1:], ""
				} else {
					val, s = s[1:end], s[end+1:]
				}
				if strings.IndexByte(val, '\\') >= 0 {
					val = strings.ReplaceAll(val, `\`+string(q), string(q))
				}
			} else {
				k := strings.Index(s, o.FieldSplit)
				if k < 0 {
					val, s = s, ""
				} else {
					val, s = s[:k], s[k:]
				}
			}
			if o.TrimKey != "" {
				key = strings.Trim(key, o.TrimKey)
			}
			if o.TrimValue != "" {
				val = strings.Trim(val, o.TrimValue)
			}
			if o.StripBrackets {
				val = stripBrackets(val)
			}
			if (include != nil && !include[key]) || exclude[key] {
				continue
			}
			n++
			r := renamed.get(key)
			if r == nil && key == "" && renameEmpty {
				empty := renames[""]
				r = &empty
			}
			if r != nil {
				if err := r.set.setIn(&x, event.String(val)); err != nil && first == nil {
					first = err
				}
				continue
			}
			if val == "" {
				continue
			}
			if names != nil {
				key = names.name(key)
			}
			x.setAny(key, event.String(val))
		}
		if n == 0 && first == nil {
			return errors.New("no key" + o.ValueSplit + "value pairs")
		}
		return first
	}, nil
}

func setOf(l []string) map[string]bool {
	if len(l) == 0 {
		return nil
	}
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return m
}

func stripBrackets(v string) string {
	if len(v) >= 2 {
		switch {
		case v[0] == '(' && v[len(v)-1] == ')', v[0] == '[' && v[len(v)-1] == ']', v[0] == '<' && v[len(v)-1] == '>',
			v[0] == '"' && v[len(v)-1] == '"', v[0] == '\'' && v[len(v)-1] == '\'':
			return v[1 : len(v)-1]
		}
	}
	return v
}

// quotedEnd returns the index of the quote q that closes the value s
// starts with (s[0] is the opening one), where a backslash escapes the
// byte after it; len(s) or more when it is not closed. It jumps from
// quote to quote with the CPU's byte search and steps over escapes.
func quotedEnd(s string, q byte) int {
	end := 1
	for {
		c := strings.IndexByte(s[end:], q)
		if c < 0 {
			return len(s)
		}
		b := strings.IndexByte(s[end:end+c], '\\')
		if b < 0 {
			return end + c
		}
		end += b + 2 // the backslash and the byte it escapes
		if end >= len(s) {
			return end
		}
	}
}

// cutset is strings.TrimLeft's set of characters, as a table when they
// are ASCII: TrimLeft builds that table on every call for a set of more
// than one character.
type cutset struct {
	set   string
	ascii bool
	table [256]bool
}

func newCutset(set string) *cutset {
	c := &cutset{set: set, ascii: true}
	for i := 0; i < len(set); i++ {
		if set[i] >= 0x80 {
			c.ascii = false
		}
		c.table[set[i]] = true
	}
	return c
}

// trimLeft is strings.TrimLeft(s, c.set).
func (c *cutset) trimLeft(s string) string {
	if !c.ascii || len(c.set) == 1 {
		return strings.TrimLeft(s, c.set)
	}
	i := 0
	for i < len(s) && c.table[s[i]] {
		i++
	}
	return s[i:]
}
