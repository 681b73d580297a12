package objstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// keeper is a sink and dead-letter sink that keeps copies.
type keeper struct {
	mu     sync.Mutex
	events []*event.Event
	dead   []pipeline.DeadLetter
}

func (k *keeper) Name() string { return "keeper" }

func (k *keeper) Write(_ context.Context, evs []*event.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, e := range evs {
		k.events = append(k.events, e.Clone())
	}
	return nil
}

func (k *keeper) WriteDeadLetters(_ context.Context, dl []pipeline.DeadLetter) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.dead = append(k.dead, dl...)
	return nil
}

// TestRealPipeline imports through the real pipeline (parsers included)
// and checks what the stored events carry: the event ids the positions
// promise, the object's fields, the parsed and decoded fields.
func TestRealPipeline(t *testing.T) {
	b := newMemBucket()
	old := time.Now().Add(-time.Hour)
	b.put("app/1.log.gz", gz(t, []byte("<34>1 2024-03-01T10:11:12Z web-1 sshd 42 - - Failed password for root\n{\"user\":{\"name\":\"alice\"},\"event\":{\"action\":\"login\"}}\n")), old)
	b.put("ct/1.json", []byte(`{"Records":[{"eventTime":"2024-03-01T10:11:12Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","responseElements":{"ConsoleLogin":"Failure"}}]}`), old)
	k := &keeper{}
	p, err := pipeline.New(pipeline.Config{Workers: 2, Sinks: []pipeline.Sink{k}, DeadLetters: k})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	s := testSource(t, b, Import{}, t.TempDir())
	stop := running(t, s, p)
	eventually(t, "both objects", func() bool { return s.Stats().Imported == 2 })
	stop()
	p.Stop()
	if len(k.dead) != 0 || len(k.events) != 3 {
		t.Fatalf("%d events, %d dead letters: %+v", len(k.events), len(k.dead), k.dead)
	}
	by := map[string]*event.Event{}
	for _, e := range k.events {
		by[e.GetString("event.action")+e.GetString("process.name")] = e
	}
	sys := by["sshd"]
	if sys == nil || sys.Timestamp.Format(time.RFC3339) != "2024-03-01T10:11:12Z" || sys.GetString("log.file.path") != "mem/app/1.log.gz" ||
		sys.ID != event.NewID("default", "t", "mem/app/1.log.gz#1", 0, []byte(sys.Original)) {
		t.Fatalf("syslog event %+v", sys)
	}
	js := by["login"]
	if js == nil || js.GetString("user.name") != "alice" || js.ID != event.NewID("default", "t", "mem/app/1.log.gz#2", 0, []byte(js.Original)) {
		t.Fatalf("json event %+v", js)
	}
	ct := by["ConsoleLogin"]
	if ct == nil || ct.GetString("event.outcome") != "failure" || ct.Tenant != "default" || ct.Source != "t" ||
		ct.GetString("log.file.path") != "mem/ct/1.json" || ct.Ingested.IsZero() ||
		ct.ID != event.NewID("default", "t", "mem/ct/1.json#1", 0, []byte(ct.Original)) {
		t.Fatalf("cloudtrail event %+v", ct)
	}
}
