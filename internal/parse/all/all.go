// Package all owns the list of Vigil's record formats: importing it
// registers every one (rfc3164, rfc5424, cef, leef, json, kv, csv, winxml,
// auto) with internal/parse, so parse.New can build them by name.
package all

import (
	// Formats register themselves with internal/parse.
	_ "github.com/vigilsiem/vigil/internal/parse/auto"
	_ "github.com/vigilsiem/vigil/internal/parse/cef"
	_ "github.com/vigilsiem/vigil/internal/parse/csv"
	_ "github.com/vigilsiem/vigil/internal/parse/json"
	_ "github.com/vigilsiem/vigil/internal/parse/kv"
	_ "github.com/vigilsiem/vigil/internal/parse/leef"
	_ "github.com/vigilsiem/vigil/internal/parse/rfc3164"
	_ "github.com/vigilsiem/vigil/internal/parse/rfc5424"
	_ "github.com/vigilsiem/vigil/internal/parse/winxml"
)
