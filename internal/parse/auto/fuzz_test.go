package auto

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: auto never fails and never panics, its events hold valid
// fields, and a non-empty record always leaves some field.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<13>Nov 23 10:00:00 h sshd[1]: Accepted password for bob`,
		`<13>1 2026-11-23T10:00:00Z h app - - - {"user":"bob"}`,
		`<134>Oct 11 22:14:15 fw01 CEF:0|V|P|1|100|n|5|dst=10.0.0.2`,
		"LEEF:2.0|V|P|1|E|^|a=1^b=2",
		`a=1 b=2 c="x y"`,
		`2024-05-10T11:37:47.123456789Z stdout F {"level":"info","msg":"m"}`,
		`2024-05-10T11:37:47.1Z stderr P part`,
		`{"log":"x=1 y=2\n","stream":"stdout","attrs":{"tag":"t"},"time":"2024-05-10T11:37:47.5Z"}`,
		`<13>Nov 23 10:00:00 h {"user":"bob"}`,
		`<13>Nov 23 10:00:00 h app: @cee: {"user":"bob"}`,
		`@cee:{"a":[1,{"b":2}]}`,
		`2026-11-23 10:00:00,123 INFO [main] Server started`,
	} {
		f.Add(s)
	}
	p := newParser()
	f.Fuzz(func(t *testing.T, in string) {
		e := parsetest.NewEvent(in)
		if err := p.Parse([]byte(in), e); err != nil {
			t.Fatalf("auto failed: %v", err)
		}
		parsetest.Check(t, e, in)
		if len(e.Fields) == 0 && e.Timestamp.Equal(parsetest.Received) && trimEnd(in) != "" {
			t.Fatalf("record %q left no field", in)
		}
	})
}
