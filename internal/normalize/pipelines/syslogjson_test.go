package pipelines

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"gopkg.in/yaml.v3"
)

// syslogHeaders are the ways forwarders put a syslog header in front of
// a vendor's JSON record (rsyslog, syslog-ng, NXLog, the vendors' own
// connectors): the JSON must be normalised as the bare object is.
var syslogHeaders = map[string]string{
	"RFC 3164":                   "<14>May 10 11:37:47 fwd-01 connector: ",
	"RFC 3164 file, tag and pid": "May 10 11:37:47 fwd-01 connector[4242]: ",
	"RFC 3164 without a tag":     "<14>May 10 11:37:47 fwd-01 ",
	"RFC 3164 file without tag":  "May 10 11:37:47 fwd-01 ",
	"rsyslog ISO time":           "2024-05-10T11:37:47.123456+00:00 fwd-01 connector: ",
	"rsyslog CEE cookie":         "<14>May 10 11:37:47 fwd-01 connector: @cee: ",
	"RFC 5424":                   "<14>1 2024-05-10T11:37:47.000Z fwd-01 connector 4242 - - ",
	"RFC 5424 structured data":   "<14>1 2024-05-10T11:37:47.000Z fwd-01 connector 4242 ID1 [origin@6876 ip=\"10.0.0.1\"] ",
	"RFC 5424 BOM and CEE":       "<14>1 2024-05-10T11:37:47.000Z fwd-01 connector - - - \xef\xbb\xbf@cee:",
}

// TestJSONBehindSyslogHeader runs every JSON input of the built-in
// pipelines' tests again behind each header: the same pipeline must take
// it and fill the same fields. The header names the forwarder: its host
// and program must not stand in for the host and process the JSON names
// (a step that fills host.name only where it is unset would keep the
// forwarder's), but fill host.name where the JSON names none, and stay in
// log.syslog.*.
func TestJSONBehindSyslogHeader(t *testing.T) {
	set := builtinSet(t)
	files := testFiles(t)
	fromHeader := map[string]bool{"host.name": true, "host.hostname": true, "process.name": true, "process.pid": true}
	for hname, header := range syslogHeaders {
		t.Run(hname, func(t *testing.T) {
			n := 0
			for file, tf := range files {
				for _, tc := range tf.Tests {
					if !strings.HasPrefix(tc.Input, "{") || tc.Error != "" || (tc.Format != "" && tc.Format != "auto") {
						continue
					}
					tc.Input = header + tc.Input
					expect := map[string]yaml.Node{}
					for k, v := range tc.Expect {
						expect[k] = v
					}
					var absent []string
					for _, a := range tc.Absent {
						if !fromHeader[a] {
							absent = append(absent, a)
						}
					}
					for _, a := range tc.Absent {
						if a == "host.name" {
							// The JSON names no host: the sender's stays.
							expect["host.name"] = yaml.Node{Kind: yaml.ScalarNode, Value: "fwd-01"}
						}
					}
					if want := tc.Pipeline; want != "none" && (want != "" || tf.Pipeline != "") {
						expect["log.syslog.hostname"] = yaml.Node{Kind: yaml.ScalarNode, Value: "fwd-01"}
					}
					tc.Expect, tc.Absent = expect, absent
					one := &ingest.TestFile{Pipeline: tf.Pipeline, Tests: []ingest.TestCase{tc}}
					for _, r := range one.Run(set, goNormalizers()) {
						n++
						if len(r.Failures) > 0 {
							t.Errorf("%s: %s:\n  %s", file, r.Name, strings.Join(r.Failures, "\n  "))
						}
					}
				}
			}
			if n < 100 {
				t.Fatalf("only %d JSON test inputs", n)
			}
		})
	}
}
