package hunt

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestScanRecordTimes: an OTRF-style record dates its detection by its
// TimeCreated; one with no time gets the scan's start, flagged as guessed,
// never 0001-01-01.
func TestScanRecordTimes(t *testing.T) {
	dir := t.TempDir()
	data := `{"TimeCreated":"2020-10-18 07:50:06.220","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Hostname":"b","Image":"C:\\Windows\\System32\\net.exe","CommandLine":"net user bob"}
{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Hostname":"c","Image":"C:\\Windows\\System32\\net.exe","CommandLine":"net user eve"}
`
	if err := os.WriteFile(filepath.Join(dir, "otrf.json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	got := map[string]*event.Event{}
	_, err := Scan(context.Background(), ruleSet(t), []string{dir}, Options{Workers: 1}, func(d Detection) {
		got[d.Event.GetString("host.name")] = d.Event
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := got["b"]; e == nil || !e.Timestamp.Equal(time.Date(2020, 10, 18, 7, 50, 6, 220e6, time.UTC)) || e.Has(event.FieldTimeGuessed) {
		t.Errorf("record with TimeCreated: %v", got["b"])
	}
	if e := got["c"]; e == nil || e.Timestamp.Before(before.Add(-time.Second)) || e.GetString(event.FieldTimeGuessed) != "true" {
		t.Errorf("record without a time: %v", got["c"])
	}
}
