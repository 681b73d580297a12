// Package resume owns what the sources that resume from a state file share
// (the file, evtx and object-store sources): their state directory under
// the data directory, their logger and telemetry, the wait at stop for the
// batches in flight to be acknowledged (Drain), the write of the state
// file with its failure handling (Save), and the exclude patterns of the
// file-system sources (Excluded). Each source keeps what is its own: what
// its state holds, when it is dirty and how often it is written.
package resume

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// DrainTimeout bounds the wait at stop for batches in flight: long enough
// for the pipeline to store a batch under load, short enough not to hold up
// a shutdown; what is not acknowledged by then is read again at the next
// start.
const DrainTimeout = 10 * time.Second

// drainPoll is how often Drain counts again when no acknowledgement woke it.
const drainPoll = 50 * time.Millisecond

// Base is what a resuming source is built with.
type Base struct {
	// StateDir is DATA/state/<source name>.
	StateDir string
	Tel      *pipeline.Telemetry
	// Log is the environment's logger (slog.Default when none) with the
	// source's name.
	Log *slog.Logger
	// Acked wakes Drain: the source calls Ack after each acknowledgement.
	Acked chan struct{}
}

// New returns the Base of source name (kind names it in errors: "file
// source"), or an error when the environment has no data directory.
func New(kind, name string, env config.SourceEnv) (Base, error) {
	if env.DataDir == "" {
		return Base{}, fmt.Errorf("%s %s: a data directory is needed for its state", kind, name)
	}
	log := env.Logger
	if log == nil {
		log = slog.Default()
	}
	return Base{StateDir: filepath.Join(env.DataDir, "state", name), Tel: env.Metrics.Component("source", name),
		Log: log.With("source", name), Acked: make(chan struct{}, 1)}, nil
}

// Ack wakes a Drain in progress; it never blocks.
func (b *Base) Ack() {
	select {
	case b.Acked <- struct{}{}:
	default:
	}
}

// Drain waits, up to timeout, until pending (called without the source's
// locks held) returns 0, counting again at each acknowledgement. When the
// time is up it logs what is left (what: "batches", "files") and returns.
func (b *Base) Drain(timeout time.Duration, what string, pending func() int) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(drainPoll)
	defer poll.Stop()
	for {
		n := pending()
		if n == 0 {
			return
		}
		select {
		case <-b.Acked:
		case <-poll.C:
		case <-deadline.C:
			b.Log.Warn("stopping with batches not acknowledged; their records will be read again", what, n)
			return
		}
	}
}

// Save writes the state with write; a failure is counted, logged (what:
// "file checkpoint", "import state") and reported as false, so that the
// caller marks its state dirty again and the next save retries it.
func (b *Base) Save(what string, write func() error) bool {
	if err := write(); err != nil {
		b.Tel.Errors.Inc()
		b.Log.Error("save "+what, "err", err)
		return false
	}
	return true
}

// Excluded reports whether path matches one of the exclude patterns: a
// pattern with a '/' matches the whole path, one without matches the path
// or its base name.
func Excluded(patterns []string, path string) bool {
	base := filepath.Base(path)
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, path); ok {
			return true
		}
		if !strings.Contains(p, "/") {
			if ok, _ := filepath.Match(p, base); ok {
				return true
			}
		}
	}
	return false
}
