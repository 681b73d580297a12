package response

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func programResponse(name string, timeout time.Duration, argv ...string) config.Response {
	return config.Response{Name: name, Type: "program", Timeout: config.Duration(timeout), Program: &config.ProgramResponse{Command: argv}}
}

func TestProgramStdin(t *testing.T) {
	requireTool(t, "cat")
	r := newRig(t, programResponse("cat", 10*time.Second, "cat"))
	write(t, r.d, mkAlert("a1", "high"))
	rec := r.records(t, 1, RecordFilter{})[0]
	out, ok := strings.CutPrefix(rec.Detail, "exit status 0; output: ")
	if rec.Outcome != OutcomeSuccess || !ok {
		t.Fatalf("record = %+v", rec)
	}
	var e Envelope
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Alert == nil || e.Alert.ID != "a1" || e.Kind != KindAlert {
		t.Errorf("the program read %q (%v), want the alert's envelope", out, err)
	}
}

// The arguments reach the program as they are: no shell reads them.
func TestProgramNoShell(t *testing.T) {
	echo := requireTool(t, "echo")
	dir := t.TempDir()
	marker := filepath.Join(dir, "pwned")
	arg := "a; touch " + marker + " $(touch " + marker + ") `touch " + marker + "` | cat > " + marker
	r := newRig(t, programResponse("echo", 10*time.Second, echo, arg))
	write(t, r.d, mkAlert("a1", "high"))
	rec := r.records(t, 1, RecordFilter{})[0]
	if rec.Outcome != OutcomeSuccess || rec.Detail != "exit status 0; output: "+arg {
		t.Errorf("record = %+v, want the argument echoed as is", rec)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a shell ran the argument: %v", err)
	}
}

func TestProgramEnvironment(t *testing.T) {
	env := requireTool(t, "env")
	t.Setenv("VIGIL_TEST_LEAK", "do-not-pass")
	c := programResponse("env", 10*time.Second, env)
	c.Program.Env = map[string]config.Secret{"TICKET_TOKEN": "tok"}
	r := newRig(t, c)
	write(t, r.d, mkAlert("a1", "high"))
	rec := r.records(t, 1, RecordFilter{})[0]
	for _, want := range []string{"PATH=", "VIGIL_KIND=alert", "VIGIL_TENANT=acme", "VIGIL_SUBJECT=a1", "VIGIL_DELIVERY=" + rec.Delivery} {
		if !strings.Contains(rec.Detail, want) {
			t.Errorf("environment lacks %s: %s", want, rec.Detail)
		}
	}
	if strings.Contains(rec.Detail, "VIGIL_TEST_LEAK") {
		t.Errorf("Vigil's own environment leaked: %s", rec.Detail)
	}
}

func TestProgramFailsAndOutputIsBounded(t *testing.T) {
	sh := requireTool(t, "sh")
	c := programResponse("noisy", 10*time.Second, sh, "-c", `i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; exit 3`)
	c.Program.MaxOutput = 100
	r := newRig(t, c)
	write(t, r.d, mkAlert("a1", "high"))
	rec := r.records(t, 1, RecordFilter{})[0]
	if rec.Outcome != OutcomeFailure || !strings.Contains(rec.Detail, "exit status 3") || !strings.Contains(rec.Detail, "line 0") ||
		!strings.Contains(rec.Detail, "more bytes]") || len(rec.Detail) > 300 {
		t.Errorf("record = %+v", rec)
	}
}

// A timeout kills the program's whole process group: its children too.
func TestProgramTimeoutKillsGroup(t *testing.T) {
	sh := requireTool(t, "sh")
	requireTool(t, "sleep")
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	r := newRig(t, programResponse("slow", 500*time.Millisecond, sh, "-c", "sleep 60 & echo $! > "+pidFile+"; wait"))
	start := time.Now()
	write(t, r.d, mkAlert("a1", "high"))
	rec := r.records(t, 1, RecordFilter{})[0]
	if rec.Outcome != OutcomeFailure || !strings.Contains(rec.Detail, "timed out") || time.Since(start) > 10*time.Second {
		t.Errorf("record = %+v after %s", rec, time.Since(start))
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	testutil.Eventually(t, fmt.Sprintf("the program's child %d to end", pid), func() bool {
		// A killed child stays a zombie until init reaps it; it no longer runs.
		st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		return syscall.Kill(pid, 0) != nil || err == nil && strings.Contains(string(st), ") Z ")
	})
}

func TestProgramNotFound(t *testing.T) {
	c := config.Config{Responses: []config.Response{programResponse("ghost", time.Second, "no-such-program-vigil")}}
	if err := c.ValidateResponses(); err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(openLog(t), nil)
	defer rec.Close()
	if _, err := New(t.Context(), Options{Responses: c.Responses, Recorder: rec, Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("New = %v, want an error naming the response", err)
	}
}
