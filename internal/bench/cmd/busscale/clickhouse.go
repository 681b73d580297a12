package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
)

// harness is the part of testing.TB that chtest.Start uses, outside a
// test: a temporary folder, cleanups run by stop, and a failure recorded
// instead of ending a test.
type harness struct {
	testing.TB
	dirs     []string
	cleanups []func()
	failed   error
}

func (h *harness) Helper() {}

func (h *harness) TempDir() string {
	d, err := os.MkdirTemp("", "busscale-ch")
	if err != nil {
		h.Fatal(err)
	}
	h.dirs = append(h.dirs, d)
	return d
}

func (h *harness) Cleanup(f func()) { h.cleanups = append(h.cleanups, f) }

func (h *harness) Fatal(args ...any) { h.failed = fmt.Errorf("%s", fmt.Sprint(args...)); panic(h) }

func (h *harness) Fatalf(format string, args ...any) {
	h.failed = fmt.Errorf(format, args...)
	panic(h)
}

func (h *harness) Skipf(format string, args ...any) { h.Fatalf(format, args...) }

func (h *harness) stop() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	for _, d := range h.dirs {
		os.RemoveAll(d)
	}
}

// startClickHouse starts a private clickhouse-server (chtest) on 127.0.0.1.
func startClickHouse() (srv *chtest.Server, stop func(), err error) {
	h := &harness{}
	defer func() {
		if r := recover(); r != nil {
			if r != any(h) {
				panic(r)
			}
			h.stop()
			srv, stop, err = nil, nil, fmt.Errorf("start clickhouse: %w", h.failed)
		}
	}()
	return chtest.Start(h), h.stop, nil
}
