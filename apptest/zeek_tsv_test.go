package apptest

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// zeekTSVSet is a real Zeek capture in Zeek's default TSV form, with its
// #separator, #fields and #types header lines (OTRF's LSASS campaign).
const zeekTSVSet = "otrf/datasets/compound/LSASS_campaign_01/metasploit_logonpasswords_lsass_memory_dump_zeek_logs.zip"

// extractZeekLogs writes the named logs of the shared zip into dir (a test
// directory, nothing is copied into the repository) and returns the
// number of data lines (not header lines) of each.
func extractZeekLogs(t *testing.T, dir string, names ...string) map[string]int {
	t.Helper()
	zr, err := zip.OpenReader(testutil.SharedData(t, zeekTSVSet))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	counts := map[string]int{}
	for _, f := range zr.File {
		name := strings.TrimSuffix(filepath.Base(f.Name), ".log")
		want := false
		for _, n := range names {
			want = want || n == name
		}
		if !want {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
				counts[name]++
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name+".log"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(counts) != len(names) {
		t.Fatalf("found logs %v, want %v", counts, names)
	}
	return counts
}

// TestZeekTSVFilesAreNamedByTheirHeader tails real Zeek TSV logs with a
// file source of the real binary: every data line is normalised by the
// zeek pipeline under the dataset its #path names, its columns named by
// the #fields header (whatever the Zeek version's column order), and the
// header lines are not events.
func TestZeekTSVFilesAreNamedByTheirHeader(t *testing.T) {
	dir := t.TempDir()
	counts := extractZeekLogs(t, dir, "conn", "dns", "http", "kerberos", "files", "weird", "ssl")
	v := startVigil(t, fmt.Sprintf("sources:\n  - name: zeek\n    type: file\n    paths: [%q]\n", filepath.Join(dir, "*.log")))
	from := []string{"--from", "2023-08-01T00:00:00Z", "--to", "2023-09-01T00:00:00Z"}
	total := 0
	for name, n := range counts {
		total += n
		rows, _ := v.waitFound("vigil.pipeline:zeek event.dataset:zeek."+name, n, 10*time.Second, from...)
		if len(rows) != n {
			t.Errorf("%s: %d events, want %d", name, len(rows), n)
		}
	}
	rows, _ := v.waitFound("vigil.source:zeek", total, 10*time.Second, from...)
	if len(rows) != total {
		t.Errorf("%d events in all, want %d (no header line is an event)", len(rows), total)
	}
	if rows, err := v.search(`vigil.source:zeek NOT vigil.pipeline:zeek`); err != nil || len(rows) != 0 {
		t.Errorf("%d events not normalised by zeek (header lines?), %v", len(rows), err)
	}

	// A kerberos request: the client is the user.
	rows, _ = v.waitFound(`event.dataset:zeek.kerberos user.name:"stevie.marie"`, 1, 5*time.Second, from...)
	wantText(t, rows[0], "user.domain", "PANDALAB.COM")
	wantText(t, rows[0], "destination.port", "88")
	// An http reply without a method still has its status.
	rows, _ = v.waitFound(`event.dataset:zeek.http http.response.status_code:404`, 1, 5*time.Second, from...)
	wantText(t, rows[0], "source.ip", "192.168.1.41")
	// A files row (fuid, then the connection's uid and ids).
	rows, _ = v.waitFound(`event.dataset:zeek.files file.mime_type:"text/html"`, 1, 5*time.Second, from...)
	wantText(t, rows[0], "source.ip", "192.168.1.41")
	wantText(t, rows[0], "destination.port", "80")
	// A dns answer that failed has its response code and no question.
	rows, _ = v.waitFound(`event.dataset:zeek.dns dns.response_code:SERVFAIL`, 1, 5*time.Second, from...)
	wantText(t, rows[0], "network.transport", "udp")
	wantText(t, rows[0], "dns.question.name", "")
}
