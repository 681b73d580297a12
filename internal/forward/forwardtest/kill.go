// Package forwardtest owns the acceptance test every output passes (issue
// 5, "Done when"): events sent while the receiver is down, the process
// that holds the queue killed with SIGKILL mid-way, then restarted with
// the receiver up, and every event found delivered, duplicates carrying
// the same event.id. Output packages call RunKill from a test and KillChild
// from the test the child process runs.
package forwardtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
)

// Environment of the child process.
const (
	envDir    = "VIGIL_FORWARD_KILL_DIR"
	envConfig = "VIGIL_FORWARD_KILL_CONFIG"
	envFrom   = "VIGIL_FORWARD_KILL_FROM"
	envN      = "VIGIL_FORWARD_KILL_N"
)

// Tenants the events alternate between, so the test crosses tenant queues.
var Tenants = []string{"acme", "globex"}

// Event returns test event i: deterministic, so the parent can check what
// arrived by its id.
func Event(i int) *event.Event {
	tenant := Tenants[i%len(Tenants)]
	msg := fmt.Sprintf("kill test event %d of tenant %s", i, tenant)
	e := &event.Event{
		Timestamp: time.Unix(1_790_000_000+int64(i), 0).UTC(),
		Ingested:  time.Unix(1_790_000_000+int64(i), 0).UTC(),
		Tenant:    tenant, Source: "kill-test", Original: msg,
		ID: event.NewID(tenant, "kill-test", strconv.Itoa(i), 0, []byte(msg)),
	}
	e.Set("message", event.String(msg))
	e.Set("host.name", event.String(fmt.Sprintf("host-%d", i%7)))
	e.Set("kill.seq", event.Int(int64(i)))
	return e
}

// Received is what the receiver got: the event.id and the kill.seq of
// every event, in any order, duplicates included.
type Received struct {
	ID  string
	Seq int
}

// Spec describes one output's kill test.
type Spec struct {
	// Config is vigil.yaml with the output under test and a route to it.
	Config string
	// N is the number of events; the child queues them in batches of 50.
	N int
	// ChildTest is the name of the test that calls KillChild.
	ChildTest string
	// Down and Up stop and start the receiver.
	Down, Up func(t *testing.T)
	// Received reads what the receiver has got so far.
	Received func(t *testing.T) []Received
	// Timeout bounds the wait for delivery after the restart. Default 60s.
	Timeout time.Duration
}

// KillChild is the body of the child process: it opens the outputs and
// routes of the config in the data directory, starts delivery, queues
// events from..N in batches of 50 printing "queued K" after each (K events
// are durable), then keeps delivering until it is killed.
func KillChild(t *testing.T) {
	dir := os.Getenv(envDir)
	if dir == "" {
		t.Skip("the child process of a kill test")
	}
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(1)
	}
	c, err := config.Parse([]byte(os.Getenv(envConfig)))
	if err != nil {
		fail(err)
	}
	from, _ := strconv.Atoi(os.Getenv(envFrom))
	n, _ := strconv.Atoi(os.Getenv(envN))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("VIGIL_FORWARD_KILL_VERBOSE") != "" {
		log = slog.Default()
	}
	m, err := forward.New(c.Outputs, c.Routes, forward.Env{DataDir: dir, Logger: log})
	if err != nil {
		fail(err)
	}
	m.Start()
	for i := from; i < n; i += 50 {
		var batch []*event.Event
		for j := i; j < min(i+50, n); j++ {
			batch = append(batch, Event(j))
		}
		if err := m.Sink().Write(context.Background(), batch); err != nil {
			fail(err)
		}
		fmt.Println("queued", i+len(batch))
		time.Sleep(2 * time.Millisecond)
	}
	fmt.Println("all queued")
	select {}
}

// child is a running child process.
type child struct {
	cmd    *exec.Cmd
	queued chan int
	done   chan error
}

func startChild(t *testing.T, spec Spec, dir string, from int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+spec.ChildTest+"$")
	cmd.Env = append(os.Environ(), envDir+"="+dir, envConfig+"="+spec.Config,
		envFrom+"="+strconv.Itoa(from), envN+"="+strconv.Itoa(spec.N))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, queued: make(chan int, 1024), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "queued "):
				k, _ := strconv.Atoi(strings.TrimPrefix(line, "queued "))
				c.queued <- k
			case strings.HasPrefix(line, "error"):
				fmt.Fprintln(os.Stderr, "kill test child:", line)
			}
		}
		close(c.queued)
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})
	return c
}

// kill SIGKILLs the child and returns the last "queued" count it printed.
func (c *child) kill(t *testing.T, last int) int {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	for k := range c.queued {
		last = max(last, k)
	}
	<-c.done
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child ended without being killed: %v", c.cmd.ProcessState)
	}
	return last
}

// RunKill runs the kill test:
//
//  1. receiver down; the child queues events and is killed once half are
//     queued (the sender would resend what was not acknowledged, so the
//     next child starts after the last batch the child acknowledged);
//  2. receiver up; a new child queues the rest and delivers; it is killed
//     again once the receiver has some of the events but not all (when
//     delivery is not faster than that);
//  3. a third child finishes delivery.
//
// Then every event 0..N-1 must have arrived, each id with its own content,
// duplicates only as the same id.
func RunKill(t *testing.T, spec Spec) {
	if spec.Timeout == 0 {
		spec.Timeout = 60 * time.Second
	}
	dir := t.TempDir()
	spec.Down(t)
	c := startChild(t, spec, dir, 0)
	acked := 0
	deadline := time.After(30 * time.Second)
wait:
	for acked < spec.N/2 {
		select {
		case k, ok := <-c.queued:
			if !ok {
				t.Fatal("child 1 stopped by itself")
			}
			acked = k
		case <-deadline:
			t.Fatalf("child 1 queued only %d events", acked)
			break wait
		}
	}
	acked = c.kill(t, acked)
	if got := spec.Received(t); len(got) != 0 {
		t.Fatalf("the receiver was down but got %d events", len(got))
	}
	t.Logf("child 1 killed after queueing %d of %d events with the receiver down", acked, spec.N)

	spec.Up(t)
	c = startChild(t, spec, dir, acked)
	stop := time.Now().Add(spec.Timeout)
	killedMidway := false
	for time.Now().Before(stop) {
		for drained := false; !drained; {
			select {
			case k, ok := <-c.queued:
				if ok {
					acked = max(acked, k)
				} else {
					drained = true
				}
			default:
				drained = true
			}
		}
		n := distinct(spec.Received(t))
		if n > 0 && n < spec.N {
			acked = c.kill(t, acked)
			killedMidway = true
			t.Logf("child 2 killed with %d of %d events delivered", n, spec.N)
			c = startChild(t, spec, dir, acked)
			break
		}
		if n >= spec.N {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !killedMidway {
		t.Logf("delivery outran the second kill; the restart was tested after the first only")
	}
	var got []Received
	for time.Now().Before(stop) {
		got = spec.Received(t)
		if distinct(got) >= spec.N {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	check(t, got, spec.N)
	c.kill(t, acked)
}

func distinct(got []Received) int {
	seen := map[string]bool{}
	for _, r := range got {
		seen[r.ID] = true
	}
	return len(seen)
}

func check(t *testing.T, got []Received, n int) {
	t.Helper()
	seen := make([]int, n)
	for _, r := range got {
		if r.Seq < 0 || r.Seq >= n {
			t.Fatalf("received an event with kill.seq %d", r.Seq)
		}
		if want := Event(r.Seq).ID; r.ID != want {
			t.Fatalf("event %d arrived with id %s, want %s", r.Seq, r.ID, want)
		}
		seen[r.Seq]++
	}
	missing, dups := 0, 0
	for i, k := range seen {
		if k == 0 {
			if missing < 5 {
				t.Errorf("event %d was never delivered", i)
			}
			missing++
		}
		dups += max(k-1, 0)
	}
	if missing > 0 {
		t.Fatalf("%d of %d events missing", missing, n)
	}
	t.Logf("all %d events delivered; %d duplicates, each with its event's id", n, dups)
}
