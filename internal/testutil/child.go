package testutil

import (
	"context"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// StartChild runs test (a test function of the running test binary, by
// name) in a child process with env added to this one's, so that a test
// can kill it with SIGKILL. It returns the child and its standard output;
// its standard error is this process's. The child is killed and waited
// for when the test ends.
func StartChild(tb testing.TB, test string, env ...string) (*exec.Cmd, io.Reader) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, out
}

// Go runs run in a goroutine until stop is called or the test ends
// (stop cancels run's context and waits for it to return); an error run
// returns fails the test.
func Go(tb testing.TB, run func(ctx context.Context) error) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil {
			tb.Error(err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	tb.Cleanup(stop)
	return stop
}
