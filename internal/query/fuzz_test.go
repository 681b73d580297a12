package query

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

var fuzzSeeds = []string{
	``, `*`, `error`, `"failed password" -root`, `fail* f?il`, `пароль`,
	`event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* | stats count() by user.name | sort -count | head 10`,
	`a or b and not (c OR -d)`, `user.name:(admin OR root -guest) x`, `source.ip:2001:db8::/32 source.ip:fe80::1`,
	`destination.port:[1 TO 1024} bytes>=1000 x:>5 y <= 3 z!=4 f:*`, `x:["a b" TO *]`,
	`process.executable:C:\Windows\*\cmd.exe file.path:\\server\share`, `C:\dir https://x.org/?a=1`,
	`@timestamp>=2024-05-01T10:00:00Z`, `x:"a \"b\" \\"`, `a\ b\:c \-d`,
	`| fields a, b | where a:x | sort -b | head 3`, `| stats count() as n, dc(u) by h | where n > 5 | sort -dc(u)`,
	`| timechart span=5m avg(bytes) by host.name`, `| stats values(a) | fields values(a)`,
	`x:(`, `"abc`, `x:[1 TO`, `a |`, `((a)`, `NOT`, `bytes>`, "\xff",
}

// FuzzParse checks that the parser never panics, that its errors point into
// the query, and that a plan prints to text that parses back to the same
// plan and the same text.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): error %v is not a *Error", text, err)
			}
			if pe.Offset < 0 || pe.Offset > len(text) || pe.Column != column(text, pe.Offset) {
				t.Fatalf("Parse(%q): error at offset %d column %d outside the query", text, pe.Offset, pe.Column)
			}
			return
		}
		s := p.String()
		p2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) printed as %q, which does not parse: %v", text, s, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("Parse(%q) printed as %q, which parses to another plan:\n%#v\n%#v", text, s, p, p2)
		}
		if s2 := p2.String(); s2 != s {
			t.Fatalf("Parse(%q): printing is not stable: %q then %q", text, s, s2)
		}
		for _, term := range p.Terms() {
			if toks := AppendTokens(nil, term); len(toks) != 1 || toks[0] != term {
				t.Fatalf("Parse(%q): term %q is not one folded token (%q)", text, term, toks)
			}
		}
		if fields := p.Fields(); !slices.IsSorted(fields) || len(slices.Compact(slices.Clone(fields))) != len(fields) {
			t.Fatalf("Parse(%q): fields %q not sorted and distinct", text, fields)
		}
	})
}
