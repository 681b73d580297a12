// Package all owns the list of Vigil's output types: importing it
// registers every one (folder, kafka, syslog, http) with internal/config,
// so a forward.Manager can build them from vigil.yaml.
package all

import (
	// Output types register themselves with the configuration.
	_ "github.com/vigilsiem/vigil/internal/forward/folder"
	_ "github.com/vigilsiem/vigil/internal/forward/http"
	_ "github.com/vigilsiem/vigil/internal/forward/kafka"
	_ "github.com/vigilsiem/vigil/internal/forward/syslog"
)
