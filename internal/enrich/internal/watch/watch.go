// Package watch owns change detection for the files enrichment reloads
// (GeoIP databases, indicator files, inventories): it polls their size and
// modification time, and reports a change only once a changed file has
// stayed the same for one whole poll, so a file still being written is
// never read half way. Writers that replace a file by renaming a complete
// one into place are picked up on the second poll after the rename.
//
// Polling, not inotify: it works the same on every platform and on network
// file systems, and a stat per file per interval costs nothing.
package watch

import (
	"context"
	"os"
	"time"
)

// stamp is what a poll sees of a file.
type stamp struct {
	size   int64
	mod    time.Time
	exists bool
}

func stat(path string) stamp {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	return stamp{size: fi.Size(), mod: fi.ModTime(), exists: true}
}

// Files watches a set of files.
type Files struct {
	paths  []string
	loaded []stamp
	seen   []stamp
}

// New watches paths; nothing counts as loaded yet.
func New(paths ...string) *Files {
	return &Files{paths: paths, loaded: make([]stamp, len(paths)), seen: make([]stamp, len(paths))}
}

// Check polls the files. It reports true when any differs from what was
// last marked loaded and none changed since the previous Check.
func (w *Files) Check() bool {
	changed, stable := false, true
	for i, p := range w.paths {
		s := stat(p)
		if s != w.seen[i] {
			stable = false
		}
		w.seen[i] = s
		if s != w.loaded[i] {
			changed = true
		}
	}
	return changed && stable
}

// Loaded marks what the last Check saw as loaded.
func (w *Files) Loaded() { copy(w.loaded, w.seen) }

// MarkCurrent stats the files now and marks them loaded: for a load done
// at start-up, before any Check.
func (w *Files) MarkCurrent() {
	for i, p := range w.paths {
		w.seen[i] = stat(p)
	}
	w.Loaded()
}

// Every calls fn every interval until ctx ends.
func Every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}
