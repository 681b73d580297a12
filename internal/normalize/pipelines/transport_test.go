package pipelines

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// rfc3164Line is an RFC 3164 record: <PRI>TIMESTAMP HOST PROGRAM[PID]: BODY.
var rfc3164Line = regexp.MustCompile(`^<(\d{1,3})>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+) ([^\s\[:]+)(?:\[(\d+)\])?: (.*)$`)

// TestBuiltinPipelinesOverRFC5424 runs every RFC 3164 sample of the
// built-in test files again with the same host, program, pid and body
// behind an RFC 5424 header, as a collector configured for RFC 5424
// forwards it: the same pipeline must take it and give the same fields
// (all but @timestamp, which the new header sets).
func TestBuiltinPipelinesOverRFC5424(t *testing.T) {
	set := builtinSet(t)
	n := 0
	for name, tf := range testFiles(t) {
		tests := tf.Tests
		tf.Tests = nil
		for _, tc := range tests {
			m := rfc3164Line.FindStringSubmatch(tc.Input)
			if m == nil || tc.Error != "" {
				continue
			}
			pid := m[4]
			if pid == "" {
				pid = "-"
			}
			tc.Input = fmt.Sprintf("<%s>1 2024-05-10T11:37:47Z %s %s %s - - %s", m[1], m[2], m[3], pid, m[5])
			tc.Name += " (over RFC 5424)"
			delete(tc.Expect, "@timestamp")
			tf.Tests = append(tf.Tests, tc)
		}
		n += len(tf.Tests)
		for _, r := range tf.Run(set, goNormalizers()) {
			if len(r.Failures) > 0 {
				t.Errorf("%s: %s:\n  %s", name, r.Name, strings.Join(r.Failures, "\n  "))
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d RFC 3164 samples", n)
	}
}
