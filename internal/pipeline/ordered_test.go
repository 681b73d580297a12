package pipeline

import (
	"context"
	"fmt"
	"testing"
)

// A format that declares it learns from its records (parse.Format.Ordered:
// CSV learns its header from the first record) gets one parser for all
// its batches, whatever the number of workers: every row after the header
// has the header's columns. Without the capability each worker's parser
// would take its first row as a header of its own.
func TestOrderedFormatLearnsOnce(t *testing.T) {
	rec := &recorder{}
	p, err := New(Config{Workers: 4, Sinks: []Sink{rec}, DeadLetters: rec})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	ctx := context.Background()
	if err := SubmitWait(ctx, p, &Batch{Tenant: "acme", Source: "s", Format: "csv", Records: []Record{{Data: []byte("user,n")}}}); err != nil {
		t.Fatal(err)
	}
	const batches = 40
	errs := make(chan error, batches)
	for i := range batches {
		go func() {
			errs <- SubmitWait(ctx, p, &Batch{Tenant: "acme", Source: "s", Format: "csv", Records: []Record{{Data: fmt.Appendf(nil, "alice,%d", i)}}})
		}()
	}
	for range batches {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.events) != batches || len(rec.dead) != 0 {
		t.Fatalf("%d events and %d dead letters, want %d and none", len(rec.events), len(rec.dead), batches)
	}
	for _, e := range rec.events {
		if e.GetString("user") != "alice" || e.GetString("n") == "" {
			t.Fatalf("row without the header's columns: %s", e.AppendJSON(nil))
		}
	}
}
