package rfc3164

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestLoghub parses the syslog-style loghub samples (syslogd files: no
// PRI, BSD stamps) and compares host, program, pid and message with the
// templates loghub published for every line (*_structured.csv).
func TestLoghub(t *testing.T) {
	for _, c := range []struct {
		name                     string
		host, proc, pid, content string // column names; proc "" when the program is absent
		wantProc                 string // the program when the CSV does not name it
	}{
		{name: "Linux", host: "Level", proc: "Component", pid: "PID", content: "Content"},
		{name: "OpenSSH", host: "Component", pid: "Pid", content: "Content", wantProc: "sshd"},
		{name: "Mac", host: "User", proc: "Component", pid: "PID", content: "Content"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := testutil.SharedData(t, filepath.Join("loghub", c.name))
			lines := readLines(t, filepath.Join(dir, c.name+"_2k.log"))
			rows := readCSV(t, filepath.Join(dir, c.name+"_2k.log_structured.csv"))
			if len(lines) != len(rows) {
				t.Fatalf("%d lines, %d structured rows", len(lines), len(rows))
			}
			p := newParser(nil, now)
			mismatches := 0
			for i, line := range lines {
				row := rows[i]
				e := parsetest.NewEvent(line)
				if err := p.Parse([]byte(line), e); err != nil {
					t.Fatalf("line %d %q: %v", i+1, line, err)
				}
				parsetest.Check(t, e, line)
				if e.Timestamp.Equal(parsetest.Received) || e.Timestamp.After(now.Add(24*time.Hour)) {
					t.Fatalf("line %d: @timestamp %v", i+1, e.Timestamp)
				}
				wantProc := c.wantProc
				if c.proc != "" {
					wantProc = row[c.proc]
				}
				got := map[string]string{
					"host": e.GetString("host.name"), "proc": e.GetString("process.name"),
					"pid": e.GetString("process.pid"), "msg": strings.TrimSpace(e.GetString("message")),
				}
				want := map[string]string{"host": row[c.host], "proc": wantProc, "pid": row[c.pid], "msg": strings.TrimSpace(row[c.content])}
				// Known differences, each a choice documented in the package:
				// "syslogd 1.4.1: restart." has a TAG without [pid] followed
				// by a space, so the TAG ends there; macOS's "([pid])" after
				// the TAG (loghub's Address column) stays in the message.
				if strings.Contains(wantProc, " ") && want["pid"] == "" {
					prog, rest, _ := strings.Cut(wantProc, " ")
					want["proc"], want["msg"] = prog, rest+": "+want["msg"]
				}
				if a := row["Address"]; a != "" {
					want["msg"] = "(" + a + "): " + want["msg"]
				}
				for k := range want {
					if got[k] != want[k] {
						mismatches++
						if mismatches <= 10 {
							t.Errorf("line %d %q: %s = %q, want %q", i+1, line, k, got[k], want[k])
						}
					}
				}
			}
		})
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for j, h := range recs[0] {
			m[h] = r[j]
		}
		rows = append(rows, m)
	}
	return rows
}
