package alertlog

import (
	"encoding/json"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
)

func mustJSON(tb testing.TB, a alert.Alert) []byte {
	tb.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
