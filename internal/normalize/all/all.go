// Package all owns the list of Vigil's normalisers written in Go: importing
// it registers every vendor normaliser (windows, ciscoasa, weblog, authlog)
// with internal/normalize, beside the audit join and common fields that
// package registers itself, so normalize.Processors returns them all.
package all

import (
	// Normalisers register themselves with internal/normalize.
	_ "github.com/vigilsiem/vigil/internal/normalize/authlog"
	_ "github.com/vigilsiem/vigil/internal/normalize/ciscoasa"
	_ "github.com/vigilsiem/vigil/internal/normalize/weblog"
	_ "github.com/vigilsiem/vigil/internal/normalize/windows"
)
