package apptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runVerify runs `vigil verify --data dir` and returns its exit status and
// output.
func runVerify(t *testing.T, dir string, extra ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(vigilBin, append([]string{"verify", "--data", dir}, extra...)...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("vigil verify: %v", err)
	return 0, ""
}

// copyDir copies a stopped server's data directory, so that each tamper
// case starts from the same intact data.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if de.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestVerifyCatchesTampering stores events through vigil serve (some
// frozen to cold Parquet, some still hot), stops it, and tampers with
// copies of its data directory as an intruder on the log host would:
// `vigil verify` passes the intact data and names the edited hot segment
// (10.1.2.3 → 10.7.7.7, finding 13), the deleted cold file and the
// truncated hot segment.
func TestVerifyCatchesTampering(t *testing.T) {
	v := startVigil(t, "")
	now := time.Now().UTC()
	batch := func(from, n int) []byte {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, `{"@timestamp":%q,"message":"sshd login %d","source":{"ip":"10.1.2.3"}}`+"\n", now.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), i)
		}
		return []byte(b.String())
	}
	for i := 0; i < 3; i++ {
		if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", batch(i*5, 5)); code != 200 {
			t.Fatalf("ingest: %d %s", code, out)
		}
	}
	v.waitFound("sshd", 15, 10*time.Second)
	if code, out := post(t, v.url("/api/v1/admin/freeze"), "application/json", "", nil); code != 200 {
		t.Fatalf("freeze: %d %s", code, out)
	}
	for i := 3; i < 6; i++ {
		if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", batch(i*5, 5)); code != 200 {
			t.Fatalf("ingest: %d %s", code, out)
		}
	}
	v.waitFound("sshd", 30, 10*time.Second)
	// Beside the running server, verify reads only and finds it intact.
	if code, out := runVerify(t, v.dataDir); code != 0 {
		t.Fatalf("verify beside the running server: exit %d\n%s", code, out)
	}
	v.stop()
	if code, out := runVerify(t, v.dataDir); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify of intact data: exit %d\n%s", code, out)
	}
	events := filepath.Join("store", "events")
	hotSegs := func(dir string) []string {
		segs, _ := filepath.Glob(filepath.Join(dir, events, "hot", "seg-*.ndjson"))
		var out []string
		for _, s := range segs {
			if st, err := os.Stat(s); err == nil && st.Size() > 0 {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			t.Fatal("no hot segment with data")
		}
		return out
	}

	t.Run("in-place edit of a hot segment", func(t *testing.T) {
		dir := copyDir(t, v.dataDir)
		seg := hotSegs(dir)[0]
		data, _ := os.ReadFile(seg)
		i := bytes.Index(data, []byte("10.1.2.3"))
		if i < 0 {
			t.Fatal("10.1.2.3 not in the hot segment")
		}
		copy(data[i:], "10.7.7.7")
		os.WriteFile(seg, data, 0o600)
		code, out := runVerify(t, dir)
		if code != 1 || !strings.Contains(out, filepath.Base(seg)) || !strings.Contains(out, "edited") {
			t.Fatalf("exit %d, want 1 naming %s as edited:\n%s", code, filepath.Base(seg), out)
		}
		t.Logf("vigil verify after 10.1.2.3 → 10.7.7.7:\n%s", out)
	})
	t.Run("deleted cold file", func(t *testing.T) {
		dir := copyDir(t, v.dataDir)
		files, _ := filepath.Glob(filepath.Join(dir, events, "cold", "default", "*", "*.parquet"))
		if len(files) == 0 {
			t.Fatal("no cold file")
		}
		os.Remove(files[0])
		code, out := runVerify(t, dir, "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", code, out)
		}
		var rep struct {
			Problems []struct{ Kind, Path string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("--format json: %v\n%s", err, out)
		}
		found := false
		for _, p := range rep.Problems {
			found = found || (p.Kind == "missing" && strings.HasSuffix(p.Path, filepath.Base(files[0])))
		}
		if !found {
			t.Fatalf("the deleted %s is not reported missing:\n%s", filepath.Base(files[0]), out)
		}
	})
	t.Run("truncated hot segment", func(t *testing.T) {
		dir := copyDir(t, v.dataDir)
		seg := hotSegs(dir)[0]
		st, _ := os.Stat(seg)
		os.Truncate(seg, st.Size()-50)
		code, out := runVerify(t, dir)
		if code != 1 || !strings.Contains(out, filepath.Base(seg)) || !strings.Contains(out, "truncated") {
			t.Fatalf("exit %d, want 1 naming %s as truncated:\n%s", code, filepath.Base(seg), out)
		}
	})
}

// TestRetentionOverviewOfImportedHistory imports events from 2020 and
// shows with `vigil retention` that, once frozen, they are kept for the
// max age from their receive time (finding 11).
func TestRetentionOverviewOfImportedHistory(t *testing.T) {
	v := startVigil(t, "")
	body := `{"@timestamp":"2020-03-01T08:00:00Z","message":"ConsoleLogin from CloudTrail 2020"}` + "\n"
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	if code, out := post(t, v.url("/api/v1/admin/freeze"), "application/json", "", nil); code != 200 {
		t.Fatalf("freeze: %d %s", code, out)
	}
	before := time.Now()
	out, err := exec.Command(vigilBin, "retention", "--data", v.dataDir, "--tenant", "default", "--format", "json").CombinedOutput()
	if err != nil {
		t.Fatalf("vigil retention: %v\n%s", err, out)
	}
	var list []struct {
		Dataset, Tenant string
		Files           int
		OldestEvent     time.Time `json:"oldest_event"`
		NewestReceived  time.Time `json:"newest_received"`
		NextDeletion    time.Time `json:"next_deletion"`
		NextReason      string    `json:"next_reason"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(list) != 1 || list[0].Dataset != "events" || list[0].Files != 1 || list[0].OldestEvent.Year() != 2020 {
		t.Fatalf("overview %s, want one events file with an event of 2020", out)
	}
	// 30 days (the default) from when it was received, not from 2020.
	if d := list[0].NextDeletion.Sub(before); d < 29*24*time.Hour || d > 31*24*time.Hour || list[0].NextReason != "max_age" {
		t.Fatalf("next deletion %v (%s), want 30 days from now", list[0].NextDeletion, list[0].NextReason)
	}
	// The admin API says the same.
	resp, err := http.Get(v.url("/api/v1/admin/retention?tenant=default"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var api struct {
		Tenants []struct {
			Tenant       string
			Files        int
			NextDeletion time.Time `json:"next_deletion"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&api); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/admin/retention: %d %v", resp.StatusCode, err)
	}
	if len(api.Tenants) != 1 || api.Tenants[0].Files != 1 || !api.Tenants[0].NextDeletion.Equal(list[0].NextDeletion) {
		t.Fatalf("API overview %+v, want the CLI's %+v", api.Tenants, list)
	}
}
