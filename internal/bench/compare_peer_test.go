package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCompareWithPeer runs `vigil bench --compare` end to end on a tiny mix:
// the real vigil binary (built here) and the VictoriaLogs binary named by
// VIGIL_BENCH_PEER, two runs each, alternated. Both must store every event,
// answer every query alike, and leave no temporary directory behind.
func TestCompareWithPeer(t *testing.T) {
	peer := os.Getenv("VIGIL_BENCH_PEER")
	if peer == "" {
		t.Skip("VIGIL_BENCH_PEER is not set: set it to a victoria-logs binary to run the comparison " +
			"(go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.2; see docs/bench.md)")
	}
	if testing.Short() {
		t.Skip("builds vigil and runs two servers")
	}
	name, peerBin, err := ParsePeer(PeerVictoriaLogs + "=" + peer)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "vigil")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/vigilsiem/vigil/cmd/vigil").CombinedOutput(); err != nil {
		t.Fatalf("build vigil: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var log strings.Builder
	const events = 2000
	c, err := Compare(ctx, Options{Bin: bin, Events: events, Repeat: 1, ServerArgs: []string{"--no-builtin-rules"}, Log: &log}, name, peerBin, 2)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(c.Vigil) != 2 || len(c.Peer) != 2 {
		t.Fatalf("%d vigil runs, %d peer runs", len(c.Vigil), len(c.Peer))
	}
	for _, r := range append(c.Vigil, c.Peer...) {
		if r.Stored != events || r.EventsPerCPUSec <= 0 || r.EndToEndEventsPerCPUSec <= 0 || r.ColdBytesPerEvent <= 0 || r.PeakRSSSettledBytes <= 0 || r.PeakRSSBytes < r.PeakRSSSettledBytes {
			t.Errorf("%s: %+v", r.System, r)
		}
		if len(r.Queries) != len(Queries()) {
			t.Errorf("%s ran %d queries", r.System, len(r.Queries))
		}
		for _, q := range r.Queries {
			if q.Answer <= 0 {
				t.Errorf("%s %s: answer %d", r.System, q.Name, q.Answer)
			}
		}
	}
	if c.Vigil[0].System != "vigil" || c.Peer[0].System != PeerVictoriaLogs {
		t.Errorf("systems %q %q", c.Vigil[0].System, c.Peer[0].System)
	}
	var out strings.Builder
	if err := c.Table.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Table.Rows {
		if r.Warning != "" {
			t.Errorf("%s: %s", r.Label, r.Warning)
		}
	}
	if strings.Contains(out.String(), "n/a") {
		t.Errorf("a figure is missing:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		if strings.HasPrefix(e.Name(), "vigil-bench") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
}
