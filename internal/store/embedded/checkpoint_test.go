package embedded

import (
	"testing"
	"time"
)

// TestCheckpointThreshold: the database checkpoints at checkpointThreshold
// of WAL, not DuckDB's default of 16 MB (an alert storm's record tables
// were checkpointed every few applied batches).
func TestCheckpointThreshold(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got string
	if err := s.db.QueryRow("SELECT current_setting('checkpoint_threshold')").Scan(&got); err != nil {
		t.Fatal(err)
	}
	// DuckDB writes the setting back in its own units ("64.0 MiB" or "61.0 MiB"...).
	var want string
	if err := s.db.QueryRow("SELECT format_bytes(64 * 1000 * 1000)").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("checkpoint_threshold = %q, want %q (%s)", got, want, checkpointThreshold)
	}
}
