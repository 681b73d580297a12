package folder

import (
	"fmt"
	"testing"

	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
)

// BenchmarkFolder: events through the queue (fsync per batch of 1000) to
// the folder output (files of 100k events, fsync and rename per file).
//
//	go test ./internal/forward/folder -run '^$' -bench Folder -benchtime 200000x
func BenchmarkFolder(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("gzip=%v", gz), func(b *testing.B) {
			path := b.TempDir()
			forwardtest.BenchDelivery(b, fmt.Sprintf(`
outputs:
  - name: out
    type: folder
    path: %q
    gzip: %v
    max_file_events: 100000
    max_file_age: 1s
    batch: {linger: 1ms}
routes:
  - outputs: [out]
`, path, gz), nil)
		})
	}
}
