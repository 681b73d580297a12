package apptest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// vigilBin is the binary under test, built once by TestMain.
var vigilBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-apptest")
	if err != nil {
		panic(err)
	}
	vigilBin = filepath.Join(dir, "vigil")
	build := exec.Command("go", "build", "-o", vigilBin, "github.com/vigilsiem/vigil/cmd/vigil")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build vigil:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// vigil is one running `vigil serve`.
type vigil struct {
	t       *testing.T
	cmd     *exec.Cmd
	dataDir string
	http    string
	syslog  string // host:port of both the UDP and the TCP syslog listener
	config  string
	log     *bytes.Buffer
	args    []string
	started bool          // it answered once: later starts are restarts on the same addresses
	exited  chan struct{} // closed when the current process has exited
}

// startVigil starts vigil serve on free loopback ports with its own data
// directory, and waits until its API answers.
func startVigil(t *testing.T, configYAML string, extra ...string) *vigil {
	t.Helper()
	v := &vigil{t: t, dataDir: t.TempDir(), http: testutil.FreeAddr(t), syslog: freeUDPTCPAddr(t)}
	if configYAML != "" {
		v.config = filepath.Join(t.TempDir(), "vigil.yaml")
		if err := os.WriteFile(v.config, []byte(configYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	v.args = append([]string{"serve", "--data", v.dataDir, "--http", v.http, "--syslog-udp", v.syslog, "--syslog-tcp", v.syslog}, extra...)
	if v.config != "" {
		v.args = append(v.args, "--config", v.config)
	}
	v.start()
	t.Cleanup(v.stop)
	return v
}

func (v *vigil) start() {
	v.t.Helper()
	for attempt := 0; ; attempt++ {
		err := v.startOnce()
		if err == nil {
			return
		}
		// A port probed free can still be taken by another process before
		// vigil binds it. On a first start (not a restart, whose addresses
		// the test relies on) the harness's own ports are drawn again.
		if v.started || attempt >= 4 || !v.lostPortRace() {
			v.t.Fatalf("%v\n%s", err, v.log.String())
		}
		v.t.Logf("vigil lost a port race (attempt %d), drawing new ports:\n%s", attempt+1, v.log.String())
		oldHTTP, oldSyslog := v.http, v.syslog
		v.http, v.syslog = testutil.FreeAddr(v.t), freeUDPTCPAddr(v.t)
		for i, a := range v.args {
			switch a {
			case oldHTTP:
				v.args[i] = v.http
			case oldSyslog:
				v.args[i] = v.syslog
			}
		}
	}
}

// healthClient bounds each health probe: whatever else holds the port may
// accept and never answer.
var healthClient = &http.Client{Timeout: 2 * time.Second}

// lostPortRace reports whether the last start failed binding one of the
// harness's own addresses.
func (v *vigil) lostPortRace() bool {
	l := v.log.String()
	return strings.Contains(l, "address already in use") &&
		(strings.Contains(l, v.http+":") || strings.Contains(l, v.syslog+":"))
}

// startOnce starts the process and waits until its API answers or it exits.
func (v *vigil) startOnce() error {
	v.log = &bytes.Buffer{}
	v.cmd = exec.Command(vigilBin, v.args...)
	v.cmd.Stdout, v.cmd.Stderr = v.log, v.log
	if err := v.cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = v.cmd.Wait()
		close(exited)
	}()
	v.exited = exited
	var err error
	healthy := testutil.Poll(testutil.WaitTimeout, func() bool {
		select {
		case <-exited:
			return true
		default:
		}
		var resp *http.Response
		if resp, err = healthClient.Get("http://" + v.http + "/api/v1/health"); err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	select {
	case <-exited:
		return fmt.Errorf("vigil serve exited before answering on %s: %v", v.http, v.cmd.ProcessState)
	default:
	}
	if !healthy {
		return fmt.Errorf("vigil did not answer on %s: %v", v.http, err)
	}
	v.started = true
	return nil
}

// stop stops vigil with SIGTERM and waits.
func (v *vigil) stop() {
	if v.cmd == nil || v.exited == nil {
		return
	}
	select {
	case <-v.exited:
		return
	default:
	}
	_ = v.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-v.exited:
		if !v.cmd.ProcessState.Success() && !v.t.Failed() {
			v.t.Errorf("vigil serve exited with %v\n%s", v.cmd.ProcessState, v.log.String())
		}
	case <-time.After(30 * time.Second):
		_ = v.cmd.Process.Kill()
		<-v.exited
		v.t.Errorf("vigil serve did not stop within 30s of SIGTERM\n%s", v.log.String())
	}
}

// kill stops vigil with SIGKILL.
func (v *vigil) kill() {
	_ = v.cmd.Process.Signal(syscall.SIGKILL)
	<-v.exited
}

func (v *vigil) url(path string) string { return "http://" + v.http + path }

// search runs `vigil search --format ndjson` and returns the rows.
func (v *vigil) search(q string, extra ...string) ([]store.Row, error) {
	args := append([]string{"search", "--server", "http://" + v.http, "--format", "ndjson", "--limit", "10000"}, extra...)
	args = append(args, q)
	out, err := exec.Command(vigilBin, args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("vigil search %q: %v: %s", q, err, out)
	}
	var rows []store.Row
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r store.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("vigil search output %q: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// waitFound polls `vigil search` (with the extra flags) until q matches
// want rows or within runs out.
func (v *vigil) waitFound(q string, want int, within time.Duration, extra ...string) ([]store.Row, time.Duration) {
	v.t.Helper()
	start := time.Now()
	var rows []store.Row
	// within is what the test expects; a slow machine gets
	// testutil.WaitTimeout (the caller logs how long it took).
	found := testutil.Poll(max(within, testutil.WaitTimeout), func() bool {
		var err error
		if rows, err = v.search(q, extra...); err != nil {
			v.t.Fatal(err)
		}
		return len(rows) >= want
	})
	if !found {
		v.t.Fatalf("search %q found %d of %d rows within %v\nvigil log:\n%s", q, len(rows), want, within, v.log.String())
	}
	return rows, time.Since(start)
}

// post sends an HTTP POST and returns status and body.
func post(t *testing.T, url, contentType, auth string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// freeUDPTCPAddr returns a loopback port free for both UDP and TCP.
func freeUDPTCPAddr(t *testing.T) string {
	t.Helper()
	return testutil.FreeUDPTCPAddr(t)
}

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (VIGIL_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s not installed (see .ci/apt-packages.txt): %v", name, err)
	}
	return p
}

func hostPort(addr string) (string, string) {
	h, p, _ := net.SplitHostPort(addr)
	return h, p
}

var _ = strings.TrimSpace
