package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/store"
)

// fileDeadLetters keeps dead letters on a node without the store role (a
// forward-only node): one JSON line per record, in the same form as the
// store's deadletters dataset, appended to DATA/deadletters/deadletters.ndjson
// and fsynced before the batch is acknowledged.
type fileDeadLetters struct {
	mu sync.Mutex
	f  *os.File
}

func openFileDeadLetters(dataDir string) (*fileDeadLetters, error) {
	dir := filepath.Join(dataDir, "deadletters")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "deadletters.ndjson"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return &fileDeadLetters{f: f}, nil
}

func (d *fileDeadLetters) WriteDeadLetters(_ context.Context, letters []pipeline.DeadLetter) error {
	var buf []byte
	for _, dl := range letters {
		buf = store.DeadLetterEvent(dl).AppendJSON(buf)
		buf = append(buf, '\n')
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.f.Write(buf); err != nil {
		return fmt.Errorf("write dead letters: %w", err)
	}
	return d.f.Sync()
}

func (d *fileDeadLetters) Close() error { return d.f.Close() }
