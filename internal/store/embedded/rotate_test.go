package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// TestSearchDuringRotationCountsOnce: a rotation seals the open segment,
// then opens the next one (a file, a stat and a directory fsync) before it
// replaces the open segment. A search in between listed the sealed segment
// twice, once as sealed and once as the open one, and returned its rows
// twice (CI's TestLiveTail got a tailed event twice; rotations became
// frequent once a batch of a newer catalog starts a new segment).
func TestSearchDuringRotationCountsOnce(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Write(ctx, freshEvents("acme", 5)); err != nil {
		t.Fatal(err)
	}
	h := s.datasets[store.Events].hot
	opening := make(chan struct{})
	release := make(chan struct{})
	h.mu.Lock()
	h.openFile = func(p string) (segmentFile, error) {
		close(opening)
		<-release
		return openSegmentFile(p)
	}
	h.mu.Unlock()
	sealed := make(chan error, 1)
	go func() { sealed <- h.sealCurrent(0) }()
	<-opening // the open segment is sealed; the next is not open yet
	res, err := s.Search(ctx, store.Request{Query: "*", Tenant: "acme", Limit: 100})
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-sealed; err != nil {
		t.Fatal(err)
	}
	if res.Total != 5 || len(res.Rows) != 5 {
		t.Fatalf("search during a rotation: total %d, %d rows, want 5", res.Total, len(res.Rows))
	}
}
