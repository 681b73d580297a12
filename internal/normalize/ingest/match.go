package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward/filter"
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
	tests []func(e *event.Event) bool
}

func (s *selector) matches(e *event.Event) bool {
	for _, t := range s.tests {
		if !t(e) {
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
		s.tests = append(s.tests, func(e *event.Event) bool {
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
		s.tests = append(s.tests, func(e *event.Event) bool {
			v, ok := e.Get("process.name")
			if !ok {
				return false
			}
			name := v.Str()
			for _, a := range apps {
				if strings.EqualFold(name, a) {
					return true
				}
			}
			return false
		})
	}
	for _, k := range m.Keys {
		s.tests = append(s.tests, func(e *event.Event) bool { return e.Has(k) })
	}
	if m.Field != "" && m.Contains == "" && m.Regex == "" {
		return s, fmt.Errorf("field is for contains and regex")
	}
	text := func(e *event.Event) (string, bool) {
		if m.Field != "" {
			return text(e, m.Field)
		}
		return body(e)
	}
	if m.Contains != "" {
		lit := m.Contains
		s.tests = append(s.tests, func(e *event.Event) bool {
			t, ok := text(e)
			return ok && strings.Contains(t, lit)
		})
	}
	if m.Regex != "" {
		re, err := regexp.Compile(m.Regex)
		if err != nil {
			return s, fmt.Errorf("regex: %w", err)
		}
		s.tests = append(s.tests, func(e *event.Event) bool {
			t, ok := text(e)
			return ok && re.MatchString(t)
		})
	}
	if m.If != "" {
		p, err := filter.Parse(m.If)
		if err != nil {
			return s, fmt.Errorf("if: %w", err)
		}
		s.tests = append(s.tests, p)
	}
	if len(s.tests) == 0 {
		return s, fmt.Errorf("empty: give cef, app, keys, contains, regex or if")
	}
	return s, nil
}
