package apptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

const hecToken = "apptest-hec-token-0123456789"

// TestRealSendersAreSearchableWithin2s sends with logger (RFC 5424 over TCP
// with octet counting, RFC 3164 over UDP), through a real rsyslog, and with
// NDJSON, Splunk HEC and Elastic _bulk posts, then finds every message with
// `vigil search` within 2 seconds of sending it.
func TestRealSendersAreSearchableWithin2s(t *testing.T) {
	logger := requireTool(t, "logger")
	v := startVigil(t, fmt.Sprintf("http:\n  ingest:\n    tokens:\n      - token: %s\n        source: hec\n", hecToken))
	host, port := hostPort(v.syslog)
	run := func(t *testing.T, name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v: %s", name, args, err, out)
		}
	}
	cases := []struct {
		name  string
		send  func(t *testing.T, marker string)
		check func(t *testing.T, row map[string]string)
	}{
		{"logger rfc5424 tcp octet-counted", func(t *testing.T, m string) {
			run(t, logger, "--tcp", "--octet-count", "--rfc5424", "-n", host, "-P", port, "-t", "apptest", "-p", "auth.warning", "rfc5424 "+m)
		}, func(t *testing.T, r map[string]string) {
			want(t, r, "process.name", "apptest")
			want(t, r, "log.syslog.severity.name", "warning")
			want(t, r, "vigil.source", "syslog-tcp")
		}},
		{"logger rfc3164 udp", func(t *testing.T, m string) {
			run(t, logger, "--udp", "--rfc3164", "-n", host, "-P", port, "-t", "apptest3164", "rfc3164 "+m)
		}, func(t *testing.T, r map[string]string) {
			want(t, r, "process.name", "apptest3164")
			want(t, r, "vigil.source", "syslog-udp")
		}},
		{"ndjson", func(t *testing.T, m string) {
			body := fmt.Sprintf(`{"message":"ndjson %s","source":{"ip":"10.20.30.40"},"user":{"name":"alice"}}`+"\n", m)
			if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+hecToken, []byte(body)); code != 200 {
				t.Fatalf("ndjson post: %d %s", code, b)
			}
		}, func(t *testing.T, r map[string]string) {
			want(t, r, "vigil.source", "hec")
			want(t, r, "source.ip", "10.20.30.40")
			want(t, r, "user.name", "alice")
		}},
		{"splunk hec", func(t *testing.T, m string) {
			body := fmt.Sprintf(`{"event":"hec %s","host":"hechost","sourcetype":"apptest"}`, m)
			if code, b := post(t, v.url("/services/collector/event"), "application/json", "Splunk "+hecToken, []byte(body)); code != 200 {
				t.Fatalf("hec post: %d %s", code, b)
			}
		}, func(t *testing.T, r map[string]string) {
			want(t, r, "host.name", "hechost")
			want(t, r, "vigil.source", "hec")
		}},
		{"elastic bulk", func(t *testing.T, m string) {
			body := fmt.Sprintf("{\"index\":{\"_index\":\"logs-apptest\"}}\n{\"message\":\"bulk %s\",\"host\":{\"name\":\"bulkhost\"}}\n", m)
			if code, b := post(t, v.url("/_bulk"), "application/x-ndjson", "ApiKey "+hecToken, []byte(body)); code != 200 || strings.Contains(b, `"errors":true`) {
				t.Fatalf("bulk post: %d %s", code, b)
			}
		}, func(t *testing.T, r map[string]string) {
			want(t, r, "host.name", "bulkhost")
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			marker := fmt.Sprintf("marker%dx%d", i, time.Now().UnixNano())
			start := time.Now()
			c.send(t, marker)
			rows, _ := v.waitFound(marker, 1, 2*time.Second)
			t.Logf("found %d row(s) %v after sending", len(rows), time.Since(start).Round(time.Millisecond))
			r := flat(rows[0])
			if !strings.Contains(r["message"]+r["event.original"], marker) {
				t.Errorf("row does not hold the marker: %v", r)
			}
			c.check(t, r)
		})
	}
	t.Run("rsyslog forwarding", func(t *testing.T) {
		rsyslogd := requireTool(t, "rsyslogd")
		dir := t.TempDir()
		inAddr := freeUDPTCPAddr(t)
		_, inPort := hostPort(inAddr)
		conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imtcp")
input(type="imtcp" port=%q address="127.0.0.1")
action(type="omfwd" target=%q port=%q protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_ForwardFormat")
`, dir, inPort, host, port)
		confFile := filepath.Join(dir, "rsyslog.conf")
		if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(rsyslogd, "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslog.pid"))
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		var err error
		listening := testutil.Poll(testutil.WaitTimeout, func() bool {
			var c net.Conn
			if c, err = net.Dial("tcp", inAddr); err == nil {
				c.Close()
			}
			return err == nil
		})
		if !listening {
			t.Fatalf("rsyslog did not listen: %v\n%s", err, out.String())
		}
		marker := fmt.Sprintf("viarsyslog%d", time.Now().UnixNano())
		start := time.Now()
		run(t, logger, "--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", inPort, "-t", "relayed", "through rsyslog "+marker)
		rows, _ := v.waitFound(marker, 1, 2*time.Second)
		t.Logf("found after %v", time.Since(start).Round(time.Millisecond))
		r := flat(rows[0])
		want(t, r, "process.name", "relayed")
	})
}

func flat(r interface{ Text(string) string }) map[string]string {
	m := map[string]string{}
	for _, k := range []string{"message", "event.original", "process.name", "log.syslog.severity.name", "vigil.source", "source.ip", "user.name", "host.name", "@timestamp", "event.id"} {
		m[k] = r.Text(k)
	}
	return m
}

func want(t *testing.T, r map[string]string, field, value string) {
	t.Helper()
	if r[field] != value {
		t.Errorf("%s = %q, want %q (row %v)", field, r[field], value, r)
	}
}
