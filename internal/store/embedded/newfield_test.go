package embedded

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestSearchSeesNewFieldsOfNewRows: a search running while a writer adds
// rows that each bring a new field never returns such a row without its
// field. A write adds the column to the catalog before it appends the
// row; a search that took the catalog before and read the hot log after
// returned the row without the field (6–11 of 120 rows here) until a
// search whose catalog changed while it ran was run again.
func TestSearchSeesNewFieldsOfNewRows(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	var written atomic.Int64
	written.Store(-1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 120; i++ {
			e := &event.Event{ID: fmt.Sprintf("id%d", i), Tenant: "acme", Source: "t", Timestamp: now, Ingested: now}
			e.SetString("event.action", "x")
			e.SetString(fmt.Sprintf("f%d", i), "val")
			if err := s.Write(ctx, []*event.Event{e}); err != nil {
				t.Error(err)
				return
			}
			written.Store(int64(i))
		}
	}()
	bad := 0
search:
	for {
		select {
		case <-done:
			break search
		default:
		}
		i := written.Load() + 1
		res, err := s.Search(ctx, store.Request{Tenant: "acme", Query: fmt.Sprintf("event.id:id%d", i), From: now.Add(-time.Hour), To: now.Add(time.Hour), Limit: 10})
		if err != nil {
			t.Error(err)
			break
		}
		if len(res.Rows) == 1 && res.Rows[0].Text(fmt.Sprintf("f%d", i)) != "val" {
			bad++
			t.Logf("row id%d without its field: %v", i, res.Rows[0])
		}
	}
	<-done
	if bad > 0 {
		t.Fatalf("%d rows without their new field", bad)
	}
}
