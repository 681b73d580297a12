package ingest

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query/filter"
)

// matchSpec is one way a pipeline recognises its records. Every key given
// must hold; a pipeline takes a record when any of its match entries does.
type matchSpec struct {
	// CEF (and LEEF) header vendor and product, compared case-insensitively;
	// the parsers keep them in observer.vendor and observer.product.
	CEF *struct {
		Vendor  string `yaml:"vendor"`
		Product string `yaml:"product"`
	} `yaml:"cef"`
	// App lists syslog program names (APP-NAME, the RFC 3164 tag), in
	// process.name.
	App stringList `yaml:"app"`
	// Keys must all be present (JSON keys after flattening, key=value keys).
	Keys []string `yaml:"keys"`
	// Contains is a literal the field holds (default _raw: the record
	// after its syslog header).
	Contains string `yaml:"contains"`
	// Regex must match the field.
	Regex string `yaml:"regex"`
	// Field is the field of contains and regex.
	Field string `yaml:"field"`
	// If is a search-language filter.
	If string `yaml:"if"`
}

// stringList accepts one string or a list.
type stringList []string

func (l *stringList) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return err
	}
	*l = many
	return nil
}

// selector is a compiled matchSpec: cheap tests first.
type selector struct {
	tests []func(e *event.Event, c *selCache) bool
}

// selCache holds what selection computes once per event for all
// pipelines: the record text after its syslog header, the program name,
// and which of the keys that selectors name are present (one pass over
// the fields, instead of a scan per key per pipeline).
type selCache struct {
	raw      string
	rawOK    bool
	rawDone  bool
	prog     string
	progOK   bool
	progDone bool
	// progLower is prog in lower case, for the app gates.
	progLower     string
	progLowerDone bool
	keys          [maxKeyBits / 64]uint64
	keysDone      bool
}

// maxKeyBits bounds the keys selection tracks in the per-event bit set;
// keys beyond it are looked up in the event.
const maxKeyBits = 512

var (
	keyMu    sync.RWMutex
	keyIndex = map[string]int{}
)

// keyBit interns a key name of a keys selector; -1 when the set is full or
// the name is an envelope field (not in Fields).
func keyBit(name string) int {
	if event.IsEnvelope(name) {
		return -1
	}
	keyMu.Lock()
	defer keyMu.Unlock()
	if i, ok := keyIndex[name]; ok {
		return i
	}
	if len(keyIndex) >= maxKeyBits {
		return -1
	}
	keyIndex[name] = len(keyIndex)
	return len(keyIndex) - 1
}

func (c *selCache) has(e *event.Event, bit int, name string) bool {
	if bit < 0 {
		return e.Has(name)
	}
	c.fillKeys(e)
	return c.keys[bit>>6]&(1<<(bit&63)) != 0
}

// fillKeys sets the bits of the selector keys e has, once.
func (c *selCache) fillKeys(e *event.Event) {
	if c.keysDone {
		return
	}
	keyMu.RLock()
	for _, f := range e.Fields {
		if i, ok := keyIndex[f.Name]; ok {
			c.keys[i>>6] |= 1 << (i & 63)
		}
	}
	keyMu.RUnlock()
	c.keysDone = true
}

func (c *selCache) program(e *event.Event) (string, bool) {
	if !c.progDone {
		if v, ok := e.Get("process.name"); ok {
			if v.Kind() == event.KindString {
				c.prog, c.progOK = v.Str(), true
			} else {
				c.prog, c.progOK = v.Text(), true
			}
		}
		c.progDone = true
	}
	return c.prog, c.progOK
}

func (c *selCache) body(e *event.Event) (string, bool) {
	if !c.rawDone {
		c.raw, c.rawOK = body(e)
		c.rawDone = true
	}
	return c.raw, c.rawOK
}

func (s *selector) matches(e *event.Event, c *selCache) bool {
	for _, t := range s.tests {
		if !t(e, c) {
			return false
		}
	}
	return true
}

func compileSelector(m matchSpec) (selector, error) {
	var s selector
	if m.CEF != nil {
		vendor, product := m.CEF.Vendor, m.CEF.Product
		if vendor == "" && product == "" {
			return s, fmt.Errorf("cef: give vendor, product or both")
		}
		s.tests = append(s.tests, func(e *event.Event, _ *selCache) bool {
			if _, ok := e.Get("cef.version"); !ok {
				if _, ok := e.Get("leef.version"); !ok {
					return false
				}
			}
			return (vendor == "" || strings.EqualFold(e.GetString("observer.vendor"), vendor)) &&
				(product == "" || strings.EqualFold(e.GetString("observer.product"), product))
		})
	}
	if len(m.App) > 0 {
		apps := m.App
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
			name, ok := c.program(e)
			if !ok {
				return false
			}
			for _, a := range apps {
				if strings.EqualFold(name, a) {
					return true
				}
			}
			return false
		})
	}
	for _, k := range m.Keys {
		bit := keyBit(k)
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool { return c.has(e, bit, k) })
	}
	if m.Field != "" && m.Contains == "" && m.Regex == "" {
		return s, fmt.Errorf("field is for contains and regex")
	}
	text := func(e *event.Event, c *selCache) (string, bool) {
		if m.Field != "" && m.Field != FieldRaw {
			return text(e, m.Field)
		}
		return c.body(e)
	}
	if m.Contains != "" {
		lit := m.Contains
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
			t, ok := text(e, c)
			return ok && strings.Contains(t, lit)
		})
	}
	if m.Regex != "" {
		re, err := regexp.Compile(m.Regex)
		if err != nil {
			return s, fmt.Errorf("regex: %w", err)
		}
		if first, ok := firstBytes(m.Regex); ok {
			s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
				t, ok := text(e, c)
				return ok && t != "" && first[t[0]] && re.MatchString(t)
			})
		} else if prefix, _ := re.LiteralPrefix(); prefix != "" {
			// The engine clears state in proportion to the text before it
			// looks for the prefix: look first.
			s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
				t, ok := text(e, c)
				return ok && strings.Contains(t, prefix) && re.MatchString(t)
			})
		} else {
			s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
				t, ok := text(e, c)
				return ok && re.MatchString(t)
			})
		}
	}
	if m.If != "" {
		p, err := filter.Parse(m.If)
		if err != nil {
			return s, fmt.Errorf("if: %w", err)
		}
		s.tests = append(s.tests, func(e *event.Event, _ *selCache) bool { return p(e) })
	}
	if len(s.tests) == 0 {
		return s, fmt.Errorf("empty: give cef, app, keys, contains, regex or if")
	}
	return s, nil
}
