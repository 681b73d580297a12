package detect

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/event"
)

// bruteForce is a brute force correlation in one file with its base rules:
// 5 failures of a user from an address within 10 minutes, then a success.
const bruteForce = `title: Failed logon
name: failed_logon
level: low
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Successful logon
name: successful_logon
level: informational
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624, LogonType: 3}
  condition: selection
---
title: Many failed logons
name: many_failed
correlation:
  type: event_count
  rules: failed_logon
  group-by: [TargetUserName, IpAddress]
  timespan: 10m
  condition: {gte: 5}
---
title: Brute force then success
id: 5b8e1f2a-8c1d-4d0e-9a41-1f6f0c1d2e3f
level: high
tags: [attack.credential_access, attack.t1110]
correlation:
  type: temporal_ordered
  rules: [many_failed, successful_logon]
  group-by: [TargetUserName, IpAddress]
  timespan: 10m
`

var base = time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)

func logon(id string, code int, user, ip string, at time.Duration) *event.Event {
	e := &event.Event{ID: id, Timestamp: base.Add(at), Tenant: "default"}
	e.SetString("winlog.channel", "Security")
	e.Set("winlog.event_id", event.Int(int64(code)))
	e.SetString("winlog.computer_name", "DC01")
	e.SetString("winlog.event_data.TargetUserName", user)
	e.SetString("winlog.event_data.IpAddress", ip)
	e.SetString("winlog.event_data.LogonType", "3")
	return e
}

func TestEngineCorrelation(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mr_bruteforce.yml"), bruteForce)
	sink := &memSink{}
	eng, err := New(Config{Dirs: []string{dir}, Lateness: time.Minute}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if st := eng.Status(); st.Rules != 2 || st.Correlations != 2 || len(st.Rejected) != 0 {
		t.Fatalf("status = %+v", st)
	}
	ctx := context.Background()
	var batch []*event.Event
	for i := 0; i < 5; i++ {
		batch = append(batch, logon(fmt.Sprint("f", i), 4625, "admin", "203.0.113.9", time.Duration(i)*time.Second))
	}
	batch = append(batch, logon("other", 4625, "guest", "203.0.113.9", 6*time.Second))
	if err := eng.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// the base rules and the inner correlation generate nothing of their own
	if len(sink.alerts) != 0 {
		t.Fatalf("alerts before the success: %+v", sink.alerts)
	}
	if err := eng.Write(ctx, []*event.Event{logon("s1", 4624, "admin", "203.0.113.9", 10*time.Second)}); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 1 {
		t.Fatalf("alerts = %+v", sink.alerts)
	}
	a := sink.alerts[0]
	if a.RuleID != "5b8e1f2a-8c1d-4d0e-9a41-1f6f0c1d2e3f" || a.Level != "high" || a.Techniques[0] != "T1110" ||
		a.Correlation == nil || a.Correlation.Type != "temporal_ordered" || a.Correlation.Group["TargetUserName"] != "admin" ||
		len(a.Correlation.AlertIDs) != 1 {
		t.Errorf("alert = %+v, correlation %+v", a, a.Correlation)
	}
	if strings.Join(a.EventIDs, " ") != "f0 f1 f2 f3 f4 s1" {
		t.Errorf("event ids = %v", a.EventIDs)
	}
	if strings.Join(a.Entities.Users, ",") != "admin" || strings.Join(a.Entities.SourceIPs, ",") != "203.0.113.9" {
		t.Errorf("entities = %+v", a.Entities)
	}
	if !a.First.Equal(base.Add(4*time.Second)) || !a.Last.Equal(base.Add(10*time.Second)) {
		t.Errorf("first %v last %v", a.First, a.Last)
	}
	// another success soon after folds into the same alert
	if err := eng.Write(ctx, []*event.Event{logon("s2", 4624, "admin", "203.0.113.9", 20*time.Second)}); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 2 || sink.alerts[1].ID != a.ID || sink.alerts[1].Count != 3 {
		t.Errorf("update = %+v", sink.alerts[1:])
	}
	if st := eng.Status(); st.Correlation.Firings != 2 || st.Correlation.Groups == 0 {
		t.Errorf("correlation stats = %+v", st.Correlation)
	}
}

func TestEngineWatchlists(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "wl.yml"), `title: Remember failed logon sources
name: remember
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
watchlist:
  alert: false
  actions:
    - increment: failed_sources
      key: IpAddress
      ttl: 1h
---
title: Success from an address that failed three times
level: medium
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624}
  known:
    IpAddress|watchlist: 'failed_sources[count>=3]'
  condition: selection and known
`)
	sink := &memSink{}
	wl := watchlist.NewMemory()
	eng, err := New(Config{Dirs: []string{dir}, Watchlists: wl}, sink)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := eng.Write(ctx, []*event.Event{logon(fmt.Sprint("f", i), 4625, "u", "198.51.100.4", 0)}); err != nil {
			t.Fatal(err)
		}
		if err := eng.Write(ctx, []*event.Event{logon(fmt.Sprint("s", i), 4624, "u", "198.51.100.4", 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(sink.alerts) != 1 || sink.alerts[0].EventIDs[0] != "s2" {
		t.Fatalf("alerts = %+v", sink.alerts)
	}
	if e, ok := wl.Lookup("default", "failed_sources", "198.51.100.4"); !ok || e.Count != 3 {
		t.Errorf("list entry = %+v, %v", e, ok)
	}
}

func TestEventTime(t *testing.T) {
	now := base
	f := func(ts, ingested time.Time, maxFuture time.Duration, want time.Time) {
		t.Helper()
		e := &event.Event{Timestamp: ts, Ingested: ingested}
		if got := EventTime(e, now, maxFuture); !got.Equal(want) {
			t.Errorf("EventTime(%v, %v, %v) = %v, want %v", ts, ingested, maxFuture, got, want)
		}
	}
	past := base.Add(-time.Hour)
	f(past, base, time.Minute, past)
	f(time.Time{}, past, time.Minute, past)
	f(time.Time{}, time.Time{}, time.Minute, now)
	f(base.Add(time.Hour), base, 5*time.Minute, base.Add(5*time.Minute))
	f(base.Add(time.Hour), time.Time{}, 5*time.Minute, now.Add(5*time.Minute))
	f(base.Add(time.Hour), base, -1, base.Add(time.Hour))
}

// TestRestartKeepsCount runs the engine in a child process, kills it with
// SIGKILL in the middle of a correlation window, and checks that a new
// process, on the same state directory, completes the count.
func TestRestartKeepsCount(t *testing.T) {
	if os.Getenv("VIGIL_DETECT_CHILD") != "" {
		t.Skip("in the child")
	}
	rules := t.TempDir()
	write(t, filepath.Join(rules, "mr_bruteforce.yml"), bruteForce)
	state := t.TempDir()

	start := func() (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDetectChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), "VIGIL_DETECT_CHILD=1", "VIGIL_RULES="+rules, "VIGIL_STATE="+state)
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, in, bufio.NewScanner(out)
	}
	// send writes one event and returns the alerts its batch raised.
	send := func(in io.Writer, out *bufio.Scanner, e *event.Event) []alert.Alert {
		t.Helper()
		b, _ := e.MarshalJSON()
		if _, err := fmt.Fprintf(in, "%s\n", b); err != nil {
			t.Fatal(err)
		}
		var alerts []alert.Alert
		for out.Scan() {
			line := out.Text()
			if line == "ack" {
				return alerts
			}
			var a alert.Alert
			if err := json.Unmarshal([]byte(line), &a); err == nil && a.ID != "" {
				alerts = append(alerts, a)
			}
		}
		t.Fatalf("child stopped: %v", out.Err())
		return nil
	}

	cmd, in, out := start()
	for i := 0; i < 3; i++ {
		if a := send(in, out, logon(fmt.Sprint("f", i), 4625, "admin", "203.0.113.9", time.Duration(i)*time.Second)); len(a) != 0 {
			t.Fatalf("alerts after %d failures: %+v", i+1, a)
		}
	}
	// kill -9 mid-window: no Close, no snapshot after the start
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	cmd, in, out = start()
	defer func() { in.Close(); _ = cmd.Wait() }()
	var got []alert.Alert
	for i := 3; i < 5; i++ {
		got = append(got, send(in, out, logon(fmt.Sprint("f", i), 4625, "admin", "203.0.113.9", time.Duration(i)*time.Second))...)
	}
	got = append(got, send(in, out, logon("s", 4624, "admin", "203.0.113.9", 30*time.Second))...)
	if len(got) != 1 || got[0].Title != "Brute force then success" || strings.Join(got[0].EventIDs, " ") != "f0 f1 f2 f3 f4 s" {
		t.Fatalf("after the restart: %+v", got)
	}
}

// TestDetectChild is the child of TestRestartKeepsCount: an engine over
// VIGIL_RULES with its state in VIGIL_STATE, reading one event per line
// from standard input and printing the alerts of each as JSON, then "ack".
func TestDetectChild(t *testing.T) {
	if os.Getenv("VIGIL_DETECT_CHILD") == "" {
		t.Skip("run by TestRestartKeepsCount")
	}
	w := bufio.NewWriter(os.Stdout)
	sink := alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
		for _, a := range as {
			b, _ := json.Marshal(a)
			fmt.Fprintf(w, "%s\n", b)
		}
		return nil
	})
	eng, err := New(Config{Dirs: []string{os.Getenv("VIGIL_RULES")}, StateDir: os.Getenv("VIGIL_STATE"), Lateness: time.Hour}, sink)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		e := &event.Event{}
		if err := e.UnmarshalJSON(sc.Bytes()); err != nil {
			t.Fatal(err)
		}
		if err := eng.Write(context.Background(), []*event.Event{e}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(w, "ack")
		w.Flush()
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
}

// Writers in parallel (as pipeline workers are), with snapshots, ticks and
// reloads meanwhile: every group counts every hit once.
func TestEngineConcurrentCorrelation(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mr_bruteforce.yml"), bruteForce)
	var mu sync.Mutex
	raised := map[string]alert.Alert{}
	sink := alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range as {
			raised[a.ID] = a
		}
		return nil
	})
	eng, err := New(Config{Dirs: []string{dir}, StateDir: t.TempDir(), Lateness: time.Hour, Logger: slog.New(slog.DiscardHandler)}, sink)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if err := eng.corr.Snapshot(); err != nil {
				t.Error(err)
				return
			}
			eng.corr.Tick()
			if _, err := eng.Reload(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	const writers, users = 4, 25
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for u := w; u < users; u += writers {
				user := fmt.Sprint("user", u)
				var batch []*event.Event
				for i := 0; i < 5; i++ {
					batch = append(batch, logon(fmt.Sprint(user, "-f", i), 4625, user, "10.0.0.1", time.Duration(i)*time.Second))
				}
				batch = append(batch, logon(user+"-s", 4624, user, "10.0.0.1", 10*time.Second))
				if err := eng.Write(context.Background(), batch); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	cancel()
	<-done
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if len(raised) != users {
		t.Fatalf("%d alerts for %d users", len(raised), users)
	}
	for _, a := range raised {
		if len(a.EventIDs) != 6 || a.Count != 2 {
			t.Errorf("alert %s: %d events, count %d", a.Correlation.Group["TargetUserName"], len(a.EventIDs), a.Count)
		}
	}
}
