package ingest

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// dissectKey is one %{…} of a dissect pattern and the literal after it.
type dissectKey struct {
	name   string // empty for %{} and %{?name}: matched and skipped
	append bool   // %{+name}: appended to the value of name
	pad    bool   // %{name->}: the delimiter after it may repeat
	order  int    // %{+name/2}
	kvKey  bool   // %{*name}: names a field whose value is the next &name
	kvVal  bool   // %{&name}
	delim  string // literal that follows, "" at the end
	set    setter
}

type dissectPattern struct {
	prefix string
	keys   []dissectKey
}

func compileDissect(p string) (*dissectPattern, error) {
	d := &dissectPattern{}
	i := strings.Index(p, "%{")
	if i < 0 {
		return nil, errors.New("pattern has no %{key}")
	}
	d.prefix = p[:i]
	p = p[i:]
	for len(p) > 0 {
		if !strings.HasPrefix(p, "%{") {
			return nil, fmt.Errorf("expected %%{ at %q", p)
		}
		end := strings.IndexByte(p, '}')
		if end < 0 {
			return nil, errors.New("unclosed %{")
		}
		k := dissectKey{}
		spec := p[2:end]
		if strings.HasSuffix(spec, "->") {
			k.pad = true
			spec = strings.TrimSuffix(spec, "->")
		}
		switch {
		case strings.HasPrefix(spec, "?"):
			spec = ""
		case strings.HasPrefix(spec, "+"):
			k.append = true
			spec = spec[1:]
			if name, ord, ok := strings.Cut(spec, "/"); ok {
				spec = name
				fmt.Sscanf(ord, "%d", &k.order)
			}
		case strings.HasPrefix(spec, "*"):
			k.kvKey = true
			spec = spec[1:]
		case strings.HasPrefix(spec, "&"):
			k.kvVal = true
			spec = spec[1:]
		}
		k.name = fieldName(spec)
		p = p[end+1:]
		next := strings.Index(p, "%{")
		if next < 0 {
			k.delim, p = p, ""
		} else {
			k.delim, p = p[:next], p[next:]
			if k.delim == "" {
				return nil, fmt.Errorf("keys %%{%s} and the next have no delimiter between them", spec)
			}
		}
		if k.name != "" && !k.kvKey && !k.kvVal {
			k.set = setterFor(k.name)
		}
		d.keys = append(d.keys, k)
	}
	return d, nil
}

// apply matches s and sets the fields; it sets nothing when s does not fit.
func (d *dissectPattern) apply(e *event.Event, s string, appendSep string) error {
	if !strings.HasPrefix(s, d.prefix) {
		return fmt.Errorf("dissect: text does not start with %q", d.prefix)
	}
	s = s[len(d.prefix):]
	var vals [32]string
	values := vals[:0]
	for i, k := range d.keys {
		var v string
		if k.delim == "" {
			if i != len(d.keys)-1 {
				return errors.New("dissect: empty delimiter")
			}
			v, s = s, ""
		} else {
			j := strings.Index(s, k.delim)
			if j < 0 {
				return fmt.Errorf("dissect: delimiter %q not found", k.delim)
			}
			v, s = s[:j], s[j+len(k.delim):]
			if k.pad {
				for strings.HasPrefix(s, k.delim) {
					s = s[len(k.delim):]
				}
			}
		}
		if k.pad {
			v = strings.TrimRight(v, " ")
		}
		values = append(values, v)
	}
	var first error
	var kvName string
	var x fieldIndex
	x.reset(e)
	for i, k := range d.keys {
		v := values[i]
		switch {
		case k.name == "":
		case k.kvKey:
			kvName = v
		case k.kvVal:
			if kvName != "" {
				x.setAny(kvName, event.String(v))
			}
		case k.append:
			if old, ok := text(e, k.name); ok && old != "" {
				v = old + appendSep + v
			}
			if err := k.set.setIn(&x, event.String(v)); err != nil && first == nil {
				first = err
			}
		default:
			if err := k.set.setIn(&x, event.String(v)); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

type dissectOpts struct {
	Field           string `yaml:"field"`
	Pattern         string `yaml:"pattern"`
	AppendSeparator string `yaml:"append_separator"`
}

func buildDissect(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o dissectOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if o.Field == "" {
		o.Field = event.FieldMessage
	}
	d, err := compileDissect(o.Pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	return func(e *event.Event) error {
		s, ok := text(e, o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		return d.apply(e, s, o.AppendSeparator)
	}, nil
}
