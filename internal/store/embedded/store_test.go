package embedded

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func openTest(t *testing.T, dir string) store.Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTest)
}
