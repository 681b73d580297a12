package ingest

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// The decoding processors: urldecode (Elastic's, percent-encoding) and
// base64decode (standard alphabet, padded or not). Each decodes the field's
// text, or every item of a list; text that does not decode fails the step.
// Neither can grow a value: decoded text is never longer than its input.

// urlDecode undoes percent-encoding. A '+' stays a '+': the vendors that
// percent-encode values (Akamai's SIEM records among them) carry base64
// text whose '+' is not a space.
func urlDecode(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	return url.PathUnescape(s)
}

// base64Decode decodes standard base64, with or without padding.
func base64Decode(s string) (string, error) {
	s = strings.TrimSpace(s)
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
		s = strings.TrimRight(s, "=")
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// buildDecode compiles a decoding processor: field, target_field (default
// the field itself).
func buildDecode(what string, fn func(string) (string, error)) builder {
	return func(n *yaml.Node, cm common) (func(*event.Event) error, error) {
		var o fieldOpts
		if err := decodeNode(n, &o); err != nil {
			return nil, err
		}
		if err := need(o.Field, "field"); err != nil {
			return nil, err
		}
		if o.TargetField == "" {
			o.TargetField = o.Field
		}
		set := setterFor(o.TargetField)
		return func(e *event.Event) error {
			v, ok := e.Get(o.Field)
			if !ok {
				return cm.missing(o.Field)
			}
			if v.Kind() == event.KindList {
				l := v.List()
				out := make([]string, len(l))
				for i, s := range l {
					d, err := fn(s)
					if err != nil {
						return fmt.Errorf("%s %s item %d: %w", what, o.Field, i, err)
					}
					out[i] = d
				}
				return set.set(e, event.List(out))
			}
			d, err := fn(textOf(v))
			if err != nil {
				return fmt.Errorf("%s %s: %w", what, o.Field, err)
			}
			return set.set(e, event.String(d))
		}, nil
	}
}
