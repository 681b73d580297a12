package main

import (
	"log/slog"
	"runtime/debug"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
)

// TestGoMemoryLimit sets the runtime's soft limit from go_memory_limit,
// leaves one GOMEMLIMIT set alone, and checks the default is the
// configured one.
func TestGoMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "")
	setGoMemoryLimit(300<<20, slog.Default())
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Errorf("soft limit %d, want 300 MiB", got)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	setGoMemoryLimit(200<<20, slog.Default())
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Errorf("soft limit %d with GOMEMLIMIT set, want it left at 300 MiB", got)
	}
	var c config.Config
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.GoMemoryLimit != config.DefaultGoMemoryLimit {
		t.Errorf("default go_memory_limit %d, want %d", c.GoMemoryLimit, config.DefaultGoMemoryLimit)
	}
}
