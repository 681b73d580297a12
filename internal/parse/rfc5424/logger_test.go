package rfc5424

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// TestLogger parses what util-linux logger --rfc5424 really emits.
func TestLogger(t *testing.T) {
	host, _ := os.Hostname()
	f := func(args []string, check func(t *testing.T, got map[string]string)) {
		t.Helper()
		t.Run(strconv.Quote(args[len(args)-1]), func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			line := parsetest.Logger(t, append([]string{"--rfc5424"}, args...)...)
			e := parsetest.NewEvent(line)
			if err := New().Parse([]byte(line), e); err != nil {
				t.Fatalf("Parse(%q): %v", line, err)
			}
			parsetest.Check(t, e, line)
			if e.Timestamp.Before(before) || e.Timestamp.After(time.Now().Add(time.Second)) {
				t.Errorf("@timestamp %v is not now (line %q)", e.Timestamp, line)
			}
			got := map[string]string{}
			for _, fl := range e.Fields {
				got[fl.Name] = fl.Value.Text()
			}
			if got["host.hostname"] != host {
				t.Errorf("host.hostname %q, want %q", got["host.hostname"], host)
			}
			if got["log.syslog.structured_data.timeQuality.tzKnown"] != "1" {
				t.Errorf("timeQuality missing: %v", got)
			}
			check(t, got)
		})
	}
	f([]string{"-t", "tag", "hello world"}, func(t *testing.T, got map[string]string) {
		if got["process.name"] != "tag" || got["message"] != "hello world" || got["log.syslog.priority"] != "13" {
			t.Errorf("got %v", got)
		}
	})
	f([]string{"-t", "app", "-i", "--msgid", "ID47", "-p", "local0.err", "--sd-id", "zoo@123", "--sd-param", `tiger="hungry"`,
		"--sd-param", `say="a \"b\" c\]"`, `quoted "msg" \ here`}, func(t *testing.T, got map[string]string) {
		want := map[string]string{
			"log.syslog.priority": "131", "log.syslog.facility.name": "local0", "log.level": "error",
			"process.name": "app", "log.syslog.msgid": "ID47",
			"log.syslog.structured_data.zoo@123.tiger": "hungry",
			"log.syslog.structured_data.zoo@123.say":   `a "b" c]`,
			"message":                                  `quoted "msg" \ here`,
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		if _, err := strconv.Atoi(got["process.pid"]); err != nil {
			t.Errorf("process.pid %q", got["process.pid"])
		}
	})
	f([]string{"-t", "t", "-p", "auth.debug", "ünïcödé ✓"}, func(t *testing.T, got map[string]string) {
		if got["message"] != "ünïcödé ✓" || got["log.syslog.facility.name"] != "auth" || got["log.level"] != "debug" {
			t.Errorf("got %v", got)
		}
	})
}
