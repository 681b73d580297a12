package rfc3164

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// TestLogger parses what util-linux logger --rfc3164 really emits, with
// the local zone and clock as a receiver on the same host has them.
func TestLogger(t *testing.T) {
	host, _ := os.Hostname()
	f := func(args []string, want map[string]string) {
		t.Helper()
		t.Run(strconv.Quote(args[len(args)-1]), func(t *testing.T) {
			line := parsetest.Logger(t, append([]string{"--rfc3164"}, args...)...)
			e := parsetest.NewEvent(line)
			if err := New(Options{Location: time.Local}).Parse([]byte(line), e); err != nil {
				t.Fatalf("Parse(%q): %v", line, err)
			}
			parsetest.Check(t, e, line)
			if d := time.Since(e.Timestamp); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("@timestamp %v is not now (line %q)", e.Timestamp, line)
			}
			want["host.name"] = host
			for k, v := range want {
				if got := e.GetString(k); got != v {
					t.Errorf("%s = %q, want %q (line %q)", k, got, v, line)
				}
			}
		})
	}
	f([]string{"-t", "tag", "hello world"}, map[string]string{"process.name": "tag", "message": "hello world", "log.syslog.priority": "13"})
	f([]string{"-t", "app", "-p", "authpriv.warning", "-i", "a: b [c]"}, map[string]string{
		"process.name": "app", "message": "a: b [c]", "log.syslog.facility.name": "authpriv", "log.level": "warning",
	})
	line := parsetest.Logger(t, "--rfc3164", "-i", "-t", "pidtag", "x")
	e := parsetest.NewEvent(line)
	if err := New(Options{Location: time.Local}).Parse([]byte(line), e); err != nil {
		t.Fatal(err)
	}
	if v, ok := e.Get("process.pid"); !ok || v.Int() <= 0 {
		t.Errorf("process.pid missing from %q: %s", line, parsetest.Render(e))
	}
}
