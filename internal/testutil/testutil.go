// Package testutil owns helpers shared by tests: finding the shared test
// data beside the repository, free loopback ports, and waiting on state
// (Eventually) instead of sleeping.
package testutil

import (
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// RepoRoot returns the directory holding go.mod.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// SharedData returns the path of rel under ../shared/data beside the
// repository (CI places shared/ there). When it is missing the test is
// skipped, unless VIGIL_REQUIRE_SHARED_DATA=1 (set by .ci/run), in which case
// it fails: in CI a missing data set must not pass silently.
func SharedData(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(RepoRoot(tb), "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("VIGIL_REQUIRE_SHARED_DATA") == "1" {
			tb.Fatalf("shared test data %s: %v", rel, err)
		}
		tb.Skipf("shared test data %s not found (%v); CI sets VIGIL_REQUIRE_SHARED_DATA=1 to fail instead", rel, err)
	}
	return p
}

// FreeAddr returns a free 127.0.0.1 TCP address ("127.0.0.1:port").
//
// The port is drawn at random below the kernel's ephemeral range
// (ip_local_port_range), not from port 0: a port the kernel handed out
// and the probe closed again can be given to the next outgoing connection
// of any process before the server under test binds it, which made a test
// fail with "address already in use" on a busy CI machine. Ports below the
// range are never handed out on their own.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	return freeAddr(tb, false)
}

// FreeUDPTCPAddr returns a 127.0.0.1 port free for both TCP and UDP (a
// syslog listener takes both).
func FreeUDPTCPAddr(tb testing.TB) string {
	tb.Helper()
	return freeAddr(tb, true)
}

func freeAddr(tb testing.TB, udp bool) string {
	tb.Helper()
	lo := ephemeralLow()
	for i := 0; i < 200; i++ {
		addr := "127.0.0.1:0"
		if lo > minPickPort+1000 {
			addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(minPickPort+rand.IntN(lo-minPickPort)))
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		addr = l.Addr().String()
		if udp {
			u, err := net.ListenPacket("udp", addr)
			if err != nil {
				l.Close()
				continue
			}
			u.Close()
		}
		l.Close()
		return addr
	}
	tb.Fatal("no free loopback port found in 200 tries")
	return ""
}

// minPickPort is the lowest port FreeAddr draws: above the well-known and
// most registered service ports.
const minPickPort = 20000

// ephemeralLow returns the first port of the kernel's ephemeral range, or 0
// when it cannot be read (FreeAddr then falls back to port 0).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return n
}
