package normalize

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/auto"
)

// vtNow is the receive time the vendor tests parse records at.
var vtNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// vtParse parses a raw record with the auto format, as serve does for a
// source without a format, and returns the event before normalisation.
func vtParse(t testing.TB, line string) *event.Event {
	t.Helper()
	p := auto.New(auto.Options{Now: func() time.Time { return vtNow }})
	e := &event.Event{Timestamp: vtNow, Ingested: vtNow, Original: line}
	if err := p.Parse([]byte(line), e); err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return e
}

// vtExpect checks that every wanted field has the wanted text, and that a
// wanted "" means absent. Lists compare as their items joined with ",".
func vtExpect(t *testing.T, e *event.Event, want map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := want[k]
		v, ok := e.Get(k)
		if w == "" {
			if ok {
				t.Errorf("%s = %q, want absent", k, v.Text())
			}
			continue
		}
		if !ok {
			t.Errorf("%s absent, want %q", k, w)
			continue
		}
		got := v.Text()
		if v.Kind() == event.KindList {
			got = strings.Join(v.List(), ",")
		}
		if got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if t.Failed() {
		t.Logf("fields: %s", vtDump(e))
	}
}

// vtKind checks the kind of a field.
func vtKind(t *testing.T, e *event.Event, name string, k event.Kind) {
	t.Helper()
	v, ok := e.Get(name)
	if !ok || v.Kind() != k {
		t.Errorf("%s is %v (present %v), want kind %v", name, v.Kind(), ok, k)
	}
}

func vtDump(e *event.Event) string {
	var b strings.Builder
	e.Range(func(name string, v event.Value) bool {
		b.WriteString("\n  " + name + " = " + v.Text() + " (" + v.Kind().String() + ")")
		return true
	})
	return b.String()
}
