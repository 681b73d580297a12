package ingest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestJSONStepConcurrent runs one json step from several goroutines at
// once, each on its own records: the step's reused parser and scratch
// event must never mix one record's fields into another's (run with
// -race), and a record that fails to parse leaves nothing behind for the
// next.
func TestJSONStepConcurrent(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - json: {field: doc, target_field: d}
`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				e := &event.Event{}
				if i%7 == 0 {
					e.Set("doc", event.String(`{"a": `))
					if _, err := p.Run(e); err == nil {
						errs <- fmt.Errorf("goroutine %d record %d: bad JSON parsed", g, i)
						return
					}
					continue
				}
				id := fmt.Sprintf("%d-%d", g, i)
				e.Set("doc", event.String(`{"id": "`+id+`", "n": {"g`+fmt.Sprint(g)+`": "x"}}`))
				if _, err := p.Run(e); err != nil {
					errs <- err
					return
				}
				if got := e.GetString("d.id"); got != id {
					errs <- fmt.Errorf("d.id = %q, want %q", got, id)
					return
				}
				if got := e.GetString(fmt.Sprintf("d.n.g%d", g)); got != "x" {
					errs <- fmt.Errorf("goroutine %d: d.n.g%d = %q", g, g, got)
					return
				}
				// doc, d.id, d.n.gN and vigil.pipeline: nothing else.
				if len(e.Fields) != 4 {
					errs <- fmt.Errorf("goroutine %d: fields %v", g, e.Fields)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
