// Package pipelines holds Vigil's built-in pipeline files (NAME.yml), each
// with its test file (NAME_test.yml) written from the vendor's documented
// sample lines. internal/normalize/ingest compiles them; docs/pipelines.md
// lists the formats and the fields each fills.
package pipelines

import (
	"embed"
	"sync"

	"github.com/vigilsiem/vigil/internal/normalize/ingest"
)

// FS holds the pipeline and test files.
//
//go:embed *.yml
var FS embed.FS

var (
	once    sync.Once
	builtin []*ingest.Pipeline
	loadErr error
)

// Load returns the compiled built-in pipelines. They are compiled once and
// shared: a compiled pipeline is safe for concurrent use.
func Load() ([]*ingest.Pipeline, error) {
	once.Do(func() { builtin, loadErr = ingest.LoadFS(FS) })
	return builtin, loadErr
}
