package parsetest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// Logger runs util-linux logger with args and returns the line it would
// have sent, as printed by --stderr --no-act. The test is skipped when
// logger is not installed. -n 127.0.0.1 keeps logger from needing
// /dev/log; --no-act sends nothing.
func Logger(tb testing.TB, args ...string) string {
	tb.Helper()
	path, err := exec.LookPath("logger")
	if err != nil {
		tb.Skipf("logger (util-linux) not installed: %v", err)
	}
	full := append([]string{"-n", "127.0.0.1", "--stderr", "--no-act"}, args...)
	var stderr bytes.Buffer
	cmd := exec.Command(path, full...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("logger %v: %v: %s", args, err, stderr.String())
	}
	line := strings.TrimRight(stderr.String(), "\n")
	if strings.Count(line, "\n") != 0 || !strings.HasPrefix(line, "<") {
		tb.Fatalf("logger %v printed %q, want one syslog line", args, line)
	}
	return line
}
