package ingest

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// FuzzParse compiles random pipeline files and runs what compiles on a
// fixed event: neither may panic, and a run error must be a step error.
func FuzzParse(f *testing.F) {
	f.Add("name: a\nmatch: [{app: x}]\nsteps:\n  - grok: {patterns: ['^%{IP:source.ip} %{INT:source.port}']}\n")
	f.Add("name: a\nmatch: [{keys: [k]}]\nsteps:\n  - dissect: {pattern: '%{a} %{+a} %{?b}->%{c->}'}\n  - kv: {field: c}\n")
	f.Add("name: a\nmatch: [{regex: '^x'}]\nsteps:\n  - csv: {target_fields: [a, b]}\n  - date: {field: a, formats: ['MMM d HH:mm:ss', UNIX]}\n")
	f.Add("name: a\nmatch: [{if: 'a:b'}]\nsteps:\n  - rename: {fields: {a: source.port}, rest_prefix: v.}\n  - lookup: {field: b, target_field: event.type, table: {x: 'a,b'}}\n")
	f.Add("name: a\nmatch: [{app: x}]\nsteps:\n  - urldecode: {field: message}\n  - split: {field: message, separator: ' '}\n  - base64decode: {field: message, target_field: b}\n")
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("fuzz.yml", []byte(src))
		if err != nil {
			return
		}
		e := &event.Event{Original: "10.0.0.1 80 x=1 a=b"}
		e.Set("message", event.String("10.0.0.1 80 x=1 a=b"))
		e.Set("a", event.String("Dec  7 06:00:00"))
		if _, err := p.Run(e); err != nil {
			if _, ok := err.(*StepError); !ok {
				t.Fatalf("run error %v is not a *StepError", err)
			}
		}
	})
}
