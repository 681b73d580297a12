package apptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// sshBruteForceRule is the built-in "SSH Brute Force From One Address".
const sshBruteForceRule = "8c3f0e4e-5a0b-4f43-9a57-2f6b1d1c7a01"

// TestBuiltinRulesDetectSSHBruteForce: a plain `vigil serve`, no rule
// configured, receives 20 failed SSH logins from one address through
// logger (RFC 3164 over UDP and RFC 5424 over TCP) and raises the
// built-in brute-force alert, which says why it fired. Health and the
// startup log say how many rules are active.
func TestBuiltinRulesDetectSSHBruteForce(t *testing.T) {
	logger := requireTool(t, "logger")
	v := startVigil(t, "")
	var health struct {
		Rules struct {
			Active  int  `json:"active"`
			Builtin bool `json:"builtin"`
		} `json:"rules"`
	}
	getJSON(t, v.url("/api/v1/health"), &health)
	if !health.Rules.Builtin || health.Rules.Active < 20 {
		t.Fatalf("health rules = %+v, want the built-in pack active", health.Rules)
	}
	if !strings.Contains(v.log.String(), "rules loaded") || !strings.Contains(v.log.String(), fmt.Sprintf("active=%d", health.Rules.Active)) {
		t.Errorf("the startup log does not say how many rules are active:\n%s", v.log.String())
	}

	host, port := hostPort(v.syslog)
	const attacker = "203.0.113.77"
	for i := 0; i < 20; i++ {
		msg := fmt.Sprintf("Failed password for invalid user admin%d from %s port %d ssh2", i, attacker, 40000+i)
		args := []string{"--udp", "--rfc3164", "-n", host, "-P", port, "-t", "sshd", "-p", "auth.info", msg}
		if i%2 == 1 {
			args = []string{"--tcp", "--octet-count", "--rfc5424", "-n", host, "-P", port, "-t", "sshd", "-p", "auth.info", msg}
		}
		if out, err := exec.Command(logger, args...).CombinedOutput(); err != nil {
			t.Fatalf("logger: %v: %s", err, out)
		}
	}
	var got []alert.Alert
	waitFor(t, 15*time.Second, "the built-in SSH brute-force alert", func() bool {
		got = alertsOf(t, v, "rule_id="+sshBruteForceRule)
		return len(got) > 0
	})
	a := got[0]
	if len(got) != 1 || a.Correlation == nil || a.Correlation.Group["source.ip"] != attacker ||
		strings.Join(a.Entities.SourceIPs, ",") != attacker {
		t.Fatalf("alerts %+v", got)
	}
	// why it fired: the group and the contributing events' key fields
	if a.Reason == nil || a.Reason.Group["source.ip"] != attacker || len(a.Reason.Events) < 10 {
		t.Fatalf("reason %+v", a.Reason)
	}
	for _, ev := range a.Reason.Events {
		if ev.Fields["source.ip"] != attacker || ev.ID == "" {
			t.Errorf("contributing event %+v", ev)
		}
	}
}

// TestBuiltinRulesOff: --no-builtin-rules loads no rule.
func TestBuiltinRulesOff(t *testing.T) {
	v := startVigil(t, "", "--no-builtin-rules")
	var health struct {
		Rules struct {
			Active  int  `json:"active"`
			Builtin bool `json:"builtin"`
		} `json:"rules"`
	}
	getJSON(t, v.url("/api/v1/health"), &health)
	if health.Rules.Builtin || health.Rules.Active != 0 {
		t.Fatalf("health rules = %+v, want none", health.Rules)
	}
}

// TestBuiltinRuleReasonOfDetection: a detection rule's alert names the
// selection that matched and the event's value.
func TestBuiltinRuleReasonOfDetection(t *testing.T) {
	v := startVigil(t, "")
	now := time.Now().UTC()
	web := fmt.Sprintf(`<134>%s web01 apache2: 198.51.100.14 - - [%s] "GET /item.php?id=1%%27%%20or%%201=1-- HTTP/1.1" 200 209 "-" "sqlmap/1.7.2#stable (https://sqlmap.org)"`,
		bsdStamp(now), now.Format("02/Jan/2006:15:04:05 -0700"))
	sendSyslogTCP(t, v.syslog, []string{web})
	var got []alert.Alert
	waitFor(t, 10*time.Second, "the SQL injection alert", func() bool {
		got = alertsOf(t, v, "rule_id=2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5cee")
		return len(got) > 0
	})
	r := got[0].Reason
	if r == nil || len(r.Selections) != 1 || r.Selections[0].Name != "tautology" || len(r.Selections[0].Fields) != 1 {
		t.Fatalf("reason %+v", r)
	}
	f := r.Selections[0].Fields[0]
	if f.Field != "url.original" || f.Modifier != "contains" || !strings.Contains(f.Value, "or%201=1") {
		t.Errorf("reason field %+v", f)
	}
}

// TestBuiltinRuleIntelAddressLogin: an SSH login from an address a STIX
// feed lists raises, besides the intel enricher's own alert, the built-in
// "Successful Login From a Threat-Intelligence Address".
func TestBuiltinRuleIntelAddressLogin(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.json")
	if err := os.WriteFile(bundle, []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z","name":"brute forcer","pattern":"[ipv4-addr:value = '192.0.2.201']",
  "pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","confidence":85}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf("enrich:\n  intel:\n    feeds:\n      - {name: cert-stix, format: stix, path: %q}\n", bundle))
	now := time.Now().UTC()
	sendSyslogTCP(t, v.syslog, []string{fmt.Sprintf("<86>%s web01 sshd[4242]: Accepted password for deploy from 192.0.2.201 port 51999 ssh2", bsdStamp(now))})
	var got []alert.Alert
	waitFor(t, 15*time.Second, "the intel login alert", func() bool {
		got = alertsOf(t, v, "rule_id=8a9b0c1d-2e3f-4a4b-9c5d-7e8f9a0b1c45")
		return len(got) > 0
	})
	r := got[0].Reason
	if r == nil || len(r.Selections) != 2 {
		t.Fatalf("reason %+v", r)
	}
}
