package main

import (
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/vigilsiem/vigil/internal/config"
)

// setGoMemoryLimit sets the Go runtime's soft memory limit from
// go_memory_limit (config.DefaultGoMemoryLimit says why its default), unless
// GOMEMLIMIT in the environment set it already.
func setGoMemoryLimit(limit config.ByteSize, log *slog.Logger) {
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		log.Info("Go memory limit from the environment", "GOMEMLIMIT", v)
		return
	}
	debug.SetMemoryLimit(int64(limit))
}
