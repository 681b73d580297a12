// Package rules owns Vigil's built-in rule pack: the Sigma rules under
// vigil/, written for Vigil and embedded in the binary, which `vigil
// serve` loads unless the configuration turns them off (rules.builtin:
// false). Their unit tests (*_test.yml) sit next to them and run with
// `vigil rules test rules/vigil` and in `go test ./cmd/vigil`.
package rules

import (
	"embed"
	"io/fs"
)

//go:embed vigil
var pack embed.FS

// Builtin returns the built-in rule pack, rooted at its top directory.
func Builtin() fs.FS {
	sub, err := fs.Sub(pack, "vigil")
	if err != nil {
		panic("rules: the embedded pack has no vigil directory: " + err.Error())
	}
	return sub
}
