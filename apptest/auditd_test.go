package apptest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestAuditRecordsJoinedInServe: the lines of one Linux audit event
// (SYSCALL, EXECVE, CWD, PATH, EOE sharing msg=audit(TIME:SERIAL)) read
// from audit.log are stored as one event that holds the fields of all of
// them, and a record of another serial stays its own event.
func TestAuditRecordsJoinedInServe(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.log")
	lines := []string{
		`type=SYSCALL msg=audit(1717430400.123:4521): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=1201 pid=1305 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key="joinmarker"`,
		`type=EXECVE msg=audit(1717430400.123:4521): argc=2 a0="cat" a1="/etc/shadow"`,
		`type=CWD msg=audit(1717430400.123:4521): cwd="/root"`,
		`type=PATH msg=audit(1717430400.123:4521): item=0 name="/usr/bin/cat" inode=1 dev=fd:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
		`type=EOE msg=audit(1717430400.123:4521): `,
		`type=SYSCALL msg=audit(1717430401.000:4522): arch=c000003e syscall=2 success=no exit=-13 items=1 ppid=1 pid=77 auid=1000 uid=1000 comm="vi" exe="/usr/bin/vi" key="othermarker"`,
	}
	if err := os.WriteFile(log, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf("sources:\n  - name: audit\n    type: file\n    paths: [%q]\n", log))
	// The last record is in the same batch: once it is searchable, so is
	// the whole batch.
	v.waitFound("othermarker", 1, 2*time.Second)
	rows, _ := v.waitFound("auditd.sequence:4521", 1, 2*time.Second)
	if len(rows) != 1 {
		t.Fatalf("serial 4521 is stored as %d events, want 1", len(rows))
	}
	r := rows[0]
	for field, want := range map[string]string{
		"process.name":              "cat",
		"process.command_line":      "cat /etc/shadow",
		"process.working_directory": "/root",
		"file.path":                 "/usr/bin/cat",
		"event.outcome":             "success",
	} {
		if got := r.Text(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if got := strings.Count(r.Text("event.original"), "\n") + 1; got != 5 {
		t.Errorf("event.original holds %d records, want 5: %q", got, r.Text("event.original"))
	}
	other, _ := v.waitFound("auditd.sequence:4522", 1, 2*time.Second)
	if got := other[0].Text("process.name"); got != "vi" {
		t.Errorf("serial 4522: process.name = %q, want vi", got)
	}
}

// TestAuditRecordsJoinedAcrossBatches: when the records of one audit event
// reach serve in two batches (here two appends to audit.log, the second
// after the first is stored), the records of the second batch are stored
// as one event that continues the first: it holds the SYSCALL's fields
// too, and says it is a continuation. No record is held back or lost.
func TestAuditRecordsJoinedAcrossBatches(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.log")
	part1 := []string{
		`type=SYSCALL msg=audit(1717430500.500:7701): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=1201 pid=4242 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key="splitmarker"`,
		`type=EXECVE msg=audit(1717430500.500:7701): argc=2 a0="cat" a1="/etc/shadow"`,
	}
	part2 := []string{
		`type=CWD msg=audit(1717430500.500:7701): cwd="/root"`,
		`type=PATH msg=audit(1717430500.500:7701): item=0 name="/usr/bin/cat" inode=1 dev=fd:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
		`type=EOE msg=audit(1717430500.500:7701): `,
	}
	if err := os.WriteFile(log, []byte(strings.Join(part1, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// One pipeline worker: batches processed at the same time join in the
	// order they finish (see normalize.AuditJoin), so with more workers
	// the continuation holding the EOE record may lack what a batch still
	// in flight holds. This test checks the sequential guarantee.
	v := startVigil(t, fmt.Sprintf("pipeline: {workers: 1}\nsources:\n  - name: audit\n    type: file\n    paths: [%q]\n", log))
	v.waitFound("splitmarker", 1, 2*time.Second)
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(strings.Join(part2, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// The appended lines may come in one batch or more: each continuation
	// carries what the batches before it joined, so the one with the EOE
	// record holds the whole event.
	rows, _ := v.waitFound("auditd.continuation:true AND auditd.sequence:7701 AND auditd.record_types:EOE", 1, 2*time.Second)
	if len(rows) != 1 {
		t.Fatalf("%d continuations of serial 7701 with its EOE record, want 1", len(rows))
	}
	r := rows[0]
	for field, want := range map[string]string{
		"process.name":              "cat",
		"process.pid":               "4242",
		"process.command_line":      "cat /etc/shadow",
		"process.working_directory": "/root",
		"file.path":                 "/usr/bin/cat",
		"event.outcome":             "success",
	} {
		if got := r.Text(field); got != want {
			t.Errorf("continuation: %s = %q, want %q", field, got, want)
		}
	}
	// Nothing is lost or stored twice: the events of the serial hold the
	// five records once each.
	var all []store.Row
	lines := 0
	testutil.Poll(testutil.WaitTimeout, func() bool {
		all, _ = v.waitFound("auditd.sequence:7701", 2, 2*time.Second)
		lines = 0
		for _, e := range all {
			lines += strings.Count(e.Text("event.original"), "\n") + 1
		}
		return lines >= len(part1)+len(part2)
	})
	if lines != len(part1)+len(part2) {
		t.Errorf("the %d events of serial 7701 hold %d records, want %d", len(all), lines, len(part1)+len(part2))
	}
}
