package clickhouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// opener opens stores on one private server, a database per folder, so that
// reopening the same folder finds the same data.
func opener(srv *chtest.Server) storetest.Opener {
	return func(t *testing.T, dir string) store.Store {
		sum := sha256.Sum256([]byte(dir))
		s, err := Open(context.Background(), Options{URL: srv.URL, Database: "t_" + hex.EncodeToString(sum[:8])})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestConformance(t *testing.T) {
	srv := chtest.Start(t)
	storetest.Run(t, opener(srv))
}
