package apptest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestContainerLogFile: a file source tailing Kubernetes CRI and Docker
// json-file container logs stores each line as the event the line inside
// would give alone (an nginx access line normalised as one), with the
// envelope's stream and its time, not a syslog reading
// of the envelope (host.name "stdout", process.name "F").
func TestContainerLogFile(t *testing.T) {
	dir := t.TempDir()
	cri := filepath.Join(dir, "web_default_nginx-1.log")
	lines := []string{
		`2024-05-10T11:37:47.123456789Z stdout F 10.0.0.5 - alice [10/May/2024:11:37:47 +0000] "GET /crimarker HTTP/1.1" 200 512 "-" "curl/8.0"`,
		`2024-05-10T11:37:47.223456789Z stderr F {"level":"error","msg":"db down","user":"bob","app":"jsonmarker"}`,
		`{"log":"10.0.0.6 - - [10/May/2024:11:37:48 +0000] \"GET /dockermarker HTTP/1.1\" 404 0 \"-\" \"curl/8.0\"\n","stream":"stdout","time":"2024-05-10T11:37:48.000001042Z"}`,
	}
	if err := os.WriteFile(cri, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf("sources:\n  - name: pods\n    type: file\n    paths: [%q]\n", cri))
	v.waitFound("dockermarker", 1, 2*time.Second)
	for q, want := range map[string]map[string]string{
		`url.path:"/crimarker"`: {"source.ip": "10.0.0.5", "user.name": "alice", "http.response.status_code": "200",
			"stream": "stdout", "event.category": "web", "host.name": "", "process.name": ""},
		`app:jsonmarker`: {"message": "db down", "user.name": "bob", "stream": "stderr", "host.name": ""},
		`url.path:"/dockermarker"`: {"source.ip": "10.0.0.6", "http.response.status_code": "404", "stream": "stdout",
			"container.runtime": "docker"},
	} {
		rows, _ := v.waitFound(q, 1, 2*time.Second)
		if len(rows) != 1 {
			t.Fatalf("%s: %d rows", q, len(rows))
		}
		for f, w := range want {
			if got := rows[0].Text(f); got != w {
				t.Errorf("%s: %s = %q, want %q (row %v)", q, f, got, w, rows[0])
			}
		}
	}
	// The envelope's time, as finely as the store keeps it (microseconds,
	// docs/format/clickhouse.md); not the access line's whole second.
	for q, want := range map[string]string{
		`url.path:"/crimarker"`:    "2024-05-10T11:37:47.123456Z",
		`app:jsonmarker`:           "2024-05-10T11:37:47.223456Z",
		`url.path:"/dockermarker"`: "2024-05-10T11:37:48.000001Z",
	} {
		rows, _ := v.waitFound(q, 1, 2*time.Second)
		if got := rows[0].Text("@timestamp"); got != want {
			t.Errorf("%s: @timestamp = %q, want %q", q, got, want)
		}
	}
}
