// Package all owns the list of Vigil's source types: importing it
// registers every one (file, syslog, evtx, kafka, nats, netflow, and the
// object-store imports import_folder, import_s3 and import_azblob) with
// internal/config, so the app can
// build them from vigil.yaml. HTTP ingest is not a configured source: the
// ingest role mounts it on the API listener (internal/source/httpin).
package all

import (
	// Source types register themselves with the configuration.
	_ "github.com/vigilsiem/vigil/internal/source/evtx"
	_ "github.com/vigilsiem/vigil/internal/source/file"
	_ "github.com/vigilsiem/vigil/internal/source/kafka"
	_ "github.com/vigilsiem/vigil/internal/source/nats"
	_ "github.com/vigilsiem/vigil/internal/source/netflow"
	_ "github.com/vigilsiem/vigil/internal/source/objstore/azblob"
	_ "github.com/vigilsiem/vigil/internal/source/objstore/folder"
	_ "github.com/vigilsiem/vigil/internal/source/objstore/s3"
	_ "github.com/vigilsiem/vigil/internal/source/syslog"
)
