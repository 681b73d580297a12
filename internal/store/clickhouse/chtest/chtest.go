// Package chtest starts a private ClickHouse server for tests: its own
// config, data folder and ports on 127.0.0.1, in a test's temporary folder.
// Tests of the ClickHouse store and apptests share it.
package chtest

import (
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary is where Debian's clickhouse-server package installs the server.
const Binary = "/usr/sbin/clickhouse-server"

// Server is a running private ClickHouse.
type Server struct {
	// URL is its HTTP interface, such as http://127.0.0.1:40123.
	URL string
	// Dir is its data folder.
	Dir string
	// Pid is its process id (benchmarks read its CPU time).
	Pid int
}

// Start starts a private ClickHouse for the test and stops it when the test
// ends. Without the binary the test is skipped, or fails when
// VIGIL_REQUIRE_TOOLS=1 (CI). Its default user has no password.
func Start(t testing.TB) *Server { t.Helper(); return StartWithPassword(t, "") }

// StartWithPassword is Start with a password for the default user.
func StartWithPassword(t testing.TB, password string) *Server {
	t.Helper()
	return start(t, password, freePort(t), freePort(t), "")
}

// ClusterName is the cluster StartCluster defines in every server's
// remote_servers.
const ClusterName = "vigil_test"

// StartCluster starts shards private ClickHouse servers on 127.0.0.1, each
// a shard of one replica of the cluster ClusterName, which every server's
// remote_servers defines; every server has the macros {shard} (1, 2, …)
// and {replica} (r1). There is no ZooKeeper: distributed DDL (ON CLUSTER)
// and Replicated* tables do not work on it, Distributed tables over plain
// local tables do.
func StartCluster(t testing.TB, shards int) []*Server {
	t.Helper()
	type ports struct{ http, tcp int }
	ps := make([]ports, shards)
	var rs strings.Builder
	rs.WriteString("<remote_servers><" + ClusterName + ">")
	for i := range ps {
		ps[i] = ports{freePort(t), freePort(t)}
		fmt.Fprintf(&rs, "<shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>", ps[i].tcp)
	}
	rs.WriteString("</" + ClusterName + "></remote_servers>")
	out := make([]*Server, shards)
	for i, p := range ps {
		extra := rs.String() + fmt.Sprintf("<macros><shard>%d</shard><replica>r1</replica></macros>", i+1)
		out[i] = start(t, "", p.http, p.tcp, extra)
	}
	return out
}

func start(t testing.TB, password string, httpPort, tcpPort int, extra string) *Server {
	t.Helper()
	bin := Binary
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		bin = p
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("VIGIL_REQUIRE_TOOLS") == "1" {
			t.Fatalf("clickhouse-server is required (VIGIL_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skipf("clickhouse-server not installed: %v", err)
	}
	dir := t.TempDir()
	users := filepath.Join(dir, "users.xml")
	var pw strings.Builder
	_ = xml.EscapeText(&pw, []byte(password))
	if err := os.WriteFile(users, []byte(fmt.Sprintf(usersXML, pw.String())), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(configXML, httpPort, tcpPort, filepath.Join(dir, "data")+"/", filepath.Join(dir, "tmp")+"/",
		users, filepath.Join(dir, "log", "server.log"), filepath.Join(dir, "log", "error.log"), extra)
	cfgPath := filepath.Join(dir, "config.xml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+cfgPath)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start clickhouse-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		logf.Close()
	})
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", httpPort), Dir: dir, Pid: cmd.Process.Pid}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-done:
			b, _ := os.ReadFile(filepath.Join(dir, "log", "error.log"))
			t.Fatalf("clickhouse-server exited: %s", tail(string(b)))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("clickhouse-server did not answer on %s within 60s: %v", s.URL, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

const configXML = `<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>%[6]s</log><errorlog>%[7]s</errorlog><console>0</console></logger>
    <http_port>%[1]d</http_port>
    <tcp_port>%[2]d</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>%[3]s</path>
    <tmp_path>%[4]s</tmp_path>
    <users_config>%[5]s</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
    %[8]s
</yandex>
`

const usersXML = `<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password>%s</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`
