package normalize_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// auditEvents parses lines as serve does and runs the built-in pipelines,
// then the join.
func auditEvents(t *testing.T, lines ...string) []*event.Event {
	t.Helper()
	return auditBatch(t, normalize.NewAuditJoin(), lines...)
}

// auditBatch runs lines as one batch through the pipelines and j.
func auditBatch(t *testing.T, j *normalize.AuditJoin, lines ...string) []*event.Event {
	t.Helper()
	ps, err := pipelines.Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := ingest.NewSet(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*event.Event
	for _, l := range lines {
		e := &event.Event{}
		if err := pipeline.ParseRecord(p, "default", "audit", time.Now(), &pipeline.Record{Data: []byte(l)}, e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	evs = ingest.NewProcessor(set, nil).Process(context.Background(), evs)
	return j.Process(context.Background(), evs)
}

func TestAuditJoinExecve(t *testing.T) {
	lines := []string{
		`type=SYSCALL msg=audit(1717430400.123:4521): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=1201 pid=1305 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key="etc_read"`,
		`type=EXECVE msg=audit(1717430400.123:4521): argc=2 a0="cat" a1="/etc/shadow"`,
		`type=CWD msg=audit(1717430400.123:4521): cwd="/root"`,
		`type=PATH msg=audit(1717430400.123:4521): item=0 name="/usr/bin/cat" inode=1 dev=fd:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
		`type=SYSCALL msg=audit(1717430401.000:4522): arch=c000003e syscall=2 success=no exit=-13 items=1 ppid=1 pid=77 auid=1000 uid=1000 comm="vi" exe="/usr/bin/vi"`,
		`type=EOE msg=audit(1717430400.123:4521): `,
		`<13>Jun  3 16:00:00 web01 app: not audit`,
	}
	out := auditEvents(t, lines...)
	if len(out) != 3 {
		t.Fatalf("got %d events, want 3 (the joined execve, the other syscall, the app line)", len(out))
	}
	e := out[0]
	want := map[string]string{
		"process.pid":               "1305",
		"process.name":              "cat",
		"process.executable":        "/usr/bin/cat",
		"process.command_line":      "cat /etc/shadow",
		"process.working_directory": "/root",
		"file.path":                 "/usr/bin/cat",
		"event.action":              "syscall",
		"event.outcome":             "success",
		"auditd.record_types":       "SYSCALL, EXECVE, CWD, PATH, EOE",
	}
	for k, v := range want {
		if got := e.GetString(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := strings.Count(e.Original, "\n"); got != 4 {
		t.Errorf("event.original holds %d newlines, want the 5 records joined: %q", got, e.Original)
	}
	if got := out[1].GetString("process.name"); got != "vi" {
		t.Errorf("second serial: process.name = %q, want vi", got)
	}
	if got := out[2].GetString("vigil.pipeline"); got != "" {
		t.Errorf("the app line was taken by %q", got)
	}
}

// TestAuditJoinAcrossBatches: when a batch boundary cuts an audit event,
// the records of the later batch become one event that continues it: it
// holds the fields of the earlier records too (the SYSCALL's process and
// user), and its event.original its own lines. Once the EOE record has
// come, nothing is kept: a later record of the serial is not continued.
func TestAuditJoinAcrossBatches(t *testing.T) {
	j := normalize.NewAuditJoin()
	first := auditBatch(t, j,
		`type=SYSCALL msg=audit(1717430400.123:4521): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=1201 pid=1305 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key="etc_read"`,
		`type=EXECVE msg=audit(1717430400.123:4521): argc=2 a0="cat" a1="/etc/shadow"`,
		`type=SYSCALL msg=audit(1717430401.000:4522): arch=c000003e syscall=2 success=no exit=-13 items=1 ppid=1 pid=77 auid=1000 uid=1000 comm="vi" exe="/usr/bin/vi"`)
	if len(first) != 2 {
		t.Fatalf("first batch: %d events, want 2", len(first))
	}
	second := auditBatch(t, j,
		`type=CWD msg=audit(1717430400.123:4521): cwd="/root"`,
		`type=PATH msg=audit(1717430400.123:4521): item=0 name="/usr/bin/cat" inode=1 dev=fd:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
		`type=EOE msg=audit(1717430400.123:4521): `)
	if len(second) != 1 {
		t.Fatalf("second batch: %d events, want 1", len(second))
	}
	e := second[0]
	for k, v := range map[string]string{
		"process.pid":                    "1305",
		"process.name":                   "cat",
		"process.executable":             "/usr/bin/cat",
		"process.command_line":           "cat /etc/shadow",
		"process.working_directory":      "/root",
		"file.path":                      "/usr/bin/cat",
		"event.outcome":                  "success",
		"auditd.record_types":            "SYSCALL, EXECVE, CWD, PATH, EOE",
		"auditd.sequence":                "4521",
		normalize.FieldAuditContinuation: "true",
	} {
		if got := e.GetString(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := strings.Count(e.Original, "\n") + 1; got != 3 {
		t.Errorf("event.original holds %d records, want its own 3: %q", got, e.Original)
	}
	if first[0].Has(normalize.FieldAuditContinuation) {
		t.Error("the first part is marked a continuation")
	}
	// 4522 had no EOE: a later record continues it. 4521 is complete.
	third := auditBatch(t, j,
		`type=PATH msg=audit(1717430401.000:4522): item=0 name="/etc/passwd" nametype=NORMAL`,
		`type=PATH msg=audit(1717430400.123:4521): item=1 name="/lib/x.so" nametype=NORMAL`)
	if len(third) != 2 {
		t.Fatalf("third batch: %d events, want 2", len(third))
	}
	if got := third[0].GetString("process.name"); got != "vi" || !third[0].Has(normalize.FieldAuditContinuation) {
		t.Errorf("4522's PATH: process.name %q, continuation %v; want vi, true", got, third[0].Has(normalize.FieldAuditContinuation))
	}
	if third[1].Has(normalize.FieldAuditContinuation) || third[1].Has("process.name") {
		t.Errorf("a record after 4521's EOE was continued: %s", third[1].AppendJSON(nil))
	}
}

// TestAuditJoinCarriedBound: the join keeps at most MaxAuditCarried
// events between batches, the oldest out first.
func TestAuditJoinCarriedBound(t *testing.T) {
	j := normalize.NewAuditJoin()
	n := normalize.MaxAuditCarried + 10
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`type=SYSCALL msg=audit(1717430400.123:%d): syscall=59 success=yes pid=%d comm="c%d" exe="/bin/c"`, i+1, i+1, i)
	}
	auditBatch(t, j, lines...)
	if got := j.Carried(); got != normalize.MaxAuditCarried {
		t.Errorf("carries %d events, want %d", got, normalize.MaxAuditCarried)
	}
	// The oldest went out: its later record starts afresh; the newest is
	// continued.
	out := auditBatch(t, j,
		`type=PATH msg=audit(1717430400.123:1): item=0 name="/a" nametype=NORMAL`,
		fmt.Sprintf(`type=PATH msg=audit(1717430400.123:%d): item=0 name="/b" nametype=NORMAL`, n))
	if out[0].Has(normalize.FieldAuditContinuation) || !out[1].Has(normalize.FieldAuditContinuation) {
		t.Errorf("continuations: oldest %v, newest %v; want false, true",
			out[0].Has(normalize.FieldAuditContinuation), out[1].Has(normalize.FieldAuditContinuation))
	}
}

// TestAuditJoinBound: one serial with more records than the bound becomes
// several events, none larger than MaxAuditRecords records.
func TestAuditJoinBound(t *testing.T) {
	n := normalize.MaxAuditRecords + 5
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`type=PATH msg=audit(1717430400.123:9): item=%d name="/tmp/f%d" nametype=NORMAL`, i, i)
	}
	out := auditEvents(t, lines...)
	if len(out) != 2 {
		t.Fatalf("got %d events, want 2", len(out))
	}
	if got := strings.Count(out[0].Original, "\n") + 1; got != normalize.MaxAuditRecords {
		t.Errorf("first event joins %d records, want %d", got, normalize.MaxAuditRecords)
	}
	if got := strings.Count(out[1].Original, "\n") + 1; got != 5 {
		t.Errorf("second event joins %d records, want 5", got)
	}
}

// FuzzAuditJoin: whatever the records, the join loses none: every record
// is one line of exactly one event's event.original.
func FuzzAuditJoin(f *testing.F) {
	f.Add("type=SYSCALL msg=audit(1717430400.123:4521): pid=1 comm=\"a\"\ntype=EXECVE msg=audit(1717430400.123:4521): argc=1 a0=\"a\"\ntype=EOE msg=audit(1717430400.123:4521): ")
	f.Add("type=PATH msg=audit(1.1:9): name=\"x\"\n<13>Jun  3 16:00:00 h app: x\ntype=PATH msg=audit(1.1:9): name=\"y\"")
	f.Fuzz(func(t *testing.T, in string) {
		var lines []string
		for _, l := range strings.Split(in, "\n") {
			if l != "" && !strings.ContainsAny(l, "\r\x00") {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 || len(lines) > 200 {
			return
		}
		out := auditEvents(t, lines...)
		n := 0
		for _, e := range out {
			if e.Original == "" {
				n++
				continue
			}
			n += strings.Count(e.Original, "\n") + 1
		}
		if n != len(lines) {
			t.Fatalf("%d records in, %d lines in the events out", len(lines), n)
		}
	})
}
