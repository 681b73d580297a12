// Package testutil owns helpers shared by tests: finding the shared test
// data beside the repository, free loopback ports, and waiting on state
// (Eventually) instead of sleeping.
package testutil

import (
	"net"
	"os"
	"path/filepath"
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
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
