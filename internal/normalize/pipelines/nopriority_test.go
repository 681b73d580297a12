package pipelines

import (
	"regexp"
	"strings"
	"testing"
)

// rfc3164Priority is the "<PRI>" before an RFC 3164 timestamp.
var rfc3164Priority = regexp.MustCompile(`^<\d{1,3}>([A-Z][a-z]{2} [ \d]\d \d\d:)`)

// TestBuiltinPipelinesWithoutPriority runs every RFC 3164 sample of the
// built-in test files again without its "<PRI>", as a syslog file holds it
// ("May 10 11:37:47 mx1 postfix/smtpd[42]: …"): each must give the same
// fields.
func TestBuiltinPipelinesWithoutPriority(t *testing.T) {
	set := builtinSet(t)
	n := 0
	for name, tf := range testFiles(t) {
		var kept []int
		for i := range tf.Tests {
			in := tf.Tests[i].Input
			if out := rfc3164Priority.ReplaceAllString(in, "$1"); out != in {
				tf.Tests[i].Input = out
				tf.Tests[i].Name += " (without <PRI>)"
				kept = append(kept, i)
			}
		}
		if len(kept) == 0 {
			continue
		}
		tests := tf.Tests
		tf.Tests = tf.Tests[:0:0]
		for _, i := range kept {
			tf.Tests = append(tf.Tests, tests[i])
		}
		n += len(kept)
		for _, r := range tf.Run(set, goNormalizers()) {
			if len(r.Failures) > 0 {
				t.Errorf("%s: %s:\n  %s", name, r.Name, strings.Join(r.Failures, "\n  "))
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d samples with an RFC 3164 priority", n)
	}
}
