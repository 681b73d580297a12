package apptest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPrettyJSONFileRecords tails a file of JSON printed over several
// lines, as jq and exports write it, with the real binary: a CloudTrail
// event indented over many lines is one event normalised by its pipeline,
// an indented array of two Auth0 events two events, and the text line
// after them a line of its own.
func TestPrettyJSONFileRecords(t *testing.T) {
	dir := t.TempDir()
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	content := `{
  "eventVersion": "1.08",
  "userIdentity": {
    "type": "IAMUser",
    "arn": "arn:aws:iam::111122223333:user/Mateo",
    "accountId": "111122223333",
    "userName": "Mateo"
  },
  "eventTime": "2024-05-10T11:37:47Z",
  "eventSource": "signin.amazonaws.com",
  "eventName": "ConsoleLogin",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "198.51.100.17",
  "userAgent": "` + m + `",
  "responseElements": {
    "ConsoleLogin": "Failure"
  },
  "recipientAccountId": "111122223333"
}
[
  {
    "log_id": "` + m + `1",
    "data": {"date": "2025-03-11T10:15:22.123Z", "type": "fp", "connection": "Username-Password-Authentication",
      "client_id": "c1", "ip": "198.51.100.73", "user_id": "auth0|1", "user_name": "` + m + `@example.com"}
  },
  {
    "log_id": "` + m + `2",
    "data": {"date": "2025-03-11T10:15:30.000Z", "type": "s", "connection": "Username-Password-Authentication",
      "client_id": "c1", "ip": "198.51.100.74", "user_id": "auth0|1", "user_name": "` + m + `@example.com"}
  }
]
<13>May 10 11:37:48 host1 app-` + m + `: after the JSON
`
	if err := os.WriteFile(filepath.Join(dir, "export.json"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf("sources:\n  - name: exports\n    type: file\n    paths: [%q]\n", filepath.Join(dir, "*.json")))
	from := []string{"--from", "2024-01-01T00:00:00Z"}
	rows, _ := v.waitFound(`vigil.pipeline:aws.cloudtrail user_agent.original:`+m, 1, 10*time.Second, from...)
	wantText(t, rows[0], "event.action", "ConsoleLogin")
	wantText(t, rows[0], "user.name", "Mateo")
	wantText(t, rows[0], "event.outcome", "failure")
	rows, _ = v.waitFound(`vigil.pipeline:auth0.logs user.name:"`+m+`@example.com"`, 2, 10*time.Second, from...)
	ips := map[string]bool{rows[0].Text("source.ip"): true, rows[1].Text("source.ip"): true}
	if !ips["198.51.100.73"] || !ips["198.51.100.74"] {
		t.Errorf("Auth0 events: source.ip %v", ips)
	}
	v.waitFound(`process.name:app-`+m, 1, 10*time.Second, from...)
	// Nothing else came of the file: no event per line of the JSON.
	if rows, _ := v.waitFound(`vigil.source:exports`, 4, 10*time.Second, from...); len(rows) != 4 {
		t.Errorf("%d events from the file, want 4", len(rows))
	}
}
