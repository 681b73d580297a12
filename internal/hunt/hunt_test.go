package hunt

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const netRule = `title: Net User
id: 33333333-3333-4333-8333-333333333333
level: medium
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\net.exe'
    CommandLine|contains: ' user '
  condition: sel
`

// ndjson holds a Winlogbeat-style record, an NXLog-style flat record (as in
// the OTRF sets), a record that does not match, and a broken line.
const ndjson = `{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{"Image":"C:\\Windows\\net.exe","CommandLine":"net user /add x"}},"host":{"name":"a"}}
{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Hostname":"b","Image":"C:\\Windows\\System32\\NET.EXE","CommandLine":"net user bob"}
{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\notepad.exe","CommandLine":"notepad user "}
{not json
`

func ruleSet(t *testing.T) *sigma.RuleSet {
	r, err := sigma.ParseRule([]byte(netRule))
	if err != nil {
		t.Fatal(err)
	}
	c := sigma.NewCompiler(sigma.Config{})
	cr, err := c.Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	return c.NewRuleSet([]*sigma.Compiled{cr})
}

func writeArchives(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "plain.ndjson"), []byte(ndjson), 0o644); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("inner/events.json")
	w.Write([]byte(ndjson))
	w, _ = zw.Create("README.txt")
	w.Write([]byte("ignored"))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "set.zip"), zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var tb bytes.Buffer
	gz := gzip.NewWriter(&tb)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "x/events.jsonl", Mode: 0o644, Size: int64(len(ndjson)), Typeflag: tar.TypeReg})
	tw.Write([]byte(ndjson))
	tw.Close()
	gz.Close()
	if err := os.WriteFile(filepath.Join(dir, "set.tar.gz"), tb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanArchivesAndNDJSON(t *testing.T) {
	dir := t.TempDir()
	writeArchives(t, dir)
	var mu sync.Mutex
	hosts := map[string]int{}
	sum, err := Scan(context.Background(), ruleSet(t), []string{dir}, Options{Workers: 2}, func(d Detection) {
		mu.Lock()
		hosts[d.Event.GetString("host.name")]++
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 3 || sum.Events != 9 || sum.Detections != 6 {
		t.Errorf("summary = files %d events %d detections %d, want 3, 9, 6", sum.Files, sum.Events, sum.Detections)
	}
	if hosts["a"] != 3 || hosts["b"] != 3 {
		t.Errorf("detections by host = %v", hosts)
	}
	if len(sum.Errors) != 3 || !strings.Contains(sum.Errors[0].Error(), "not JSON") {
		t.Errorf("errors = %v, want one bad line per file", sum.Errors)
	}
	if len(sum.ByRule) != 1 || sum.ByRule[0].Count != 6 || sum.ByLevel["medium"] != 6 {
		t.Errorf("by rule %+v, by level %v", sum.ByRule, sum.ByLevel)
	}
}

func TestScanEVTX(t *testing.T) {
	dir := testutil.SharedData(t, "evtx/EVTX-to-MITRE-Attack")
	sum, err := Scan(context.Background(), ruleSet(t), []string{dir}, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files < 200 || sum.Events < 5000 {
		t.Errorf("scanned %d files, %d events", sum.Files, sum.Events)
	}
}

func TestScanMissingPath(t *testing.T) {
	if _, err := Scan(context.Background(), ruleSet(t), []string{"/nonexistent/x.evtx"}, Options{}, nil); err == nil {
		t.Fatal("no error for a missing path")
	}
}
