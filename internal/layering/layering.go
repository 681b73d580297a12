package layering

import (
	"fmt"
	"strings"
)

// Module is the import path of Vigil's module.
const Module = "github.com/vigilsiem/vigil"

// layers lists the layers lowest first; each names the package path
// prefixes (relative to Module) that belong to it, or a path ending in "$"
// for that package alone (the store facade, whose backends are stages).
// The longest match places a package.
var layers = []struct {
	name     string
	prefixes []string
}{
	{"base", []string{"internal/event", "internal/fsutil", "internal/jsontext", "internal/netlimit", "internal/testutil", "internal/bench", "rules"}},
	{"vocabulary", []string{"internal/alert", "internal/audit"}},
	{"parse/query", []string{"internal/parse", "internal/query", "internal/queue"}},
	{"pipeline", []string{"internal/pipeline"}},
	{"store facade", []string{"internal/store$"}},
	{"records", []string{"internal/dashboard"}},
	{"config", []string{"internal/config"}},
	{"connections", []string{"internal/kafkaconn"}},
	{"bus", []string{"internal/bus"}},
	{"stages", []string{"internal/source", "internal/normalize", "internal/enrich", "internal/detect", "internal/store", "internal/forward", "internal/patterns", "internal/demo", "internal/tail"}},
	{"alert flow", []string{"internal/alert/alertlog", "internal/analytics", "internal/hunt"}},
	{"incidents", []string{"internal/incident"}},
	{"responses", []string{"internal/response"}},
	{"auth", []string{"internal/auth"}},
	{"api", []string{"internal/api"}},
	{"app", []string{"internal/app"}},
	{"commands", []string{"cmd", "apptest", "internal/layering", "internal/bench/cmd"}},
}

// Place returns the layer (index into the list, lowest first) and the
// component of a package path relative to Module; ok is false for a
// package no layer names.
func Place(pkg string) (layer int, component string, ok bool) {
	best, bestLen := -1, 0
	for i, l := range layers {
		for _, p := range l.prefixes {
			exact, ok := strings.CutSuffix(p, "$")
			match := pkg == exact || !ok && strings.HasPrefix(pkg, p+"/")
			if match && len(exact) > bestLen {
				best, bestLen = i, len(exact)
			}
		}
	}
	if best < 0 {
		return 0, "", false
	}
	return best, componentOf(pkg), true
}

// componentOf is the first element below internal/ (source, forward, ...),
// or the path's first element outside internal.
func componentOf(pkg string) string {
	parts := strings.Split(pkg, "/")
	if parts[0] == "internal" && len(parts) > 1 {
		return parts[1]
	}
	return parts[0]
}

// Check returns why the import from → to breaks the layering, or "" when
// it keeps it. Both are paths relative to Module.
func Check(from, to string) string {
	lf, cf, ok := Place(from)
	if !ok {
		return fmt.Sprintf("%s is in no layer: add it to internal/layering", from)
	}
	lt, ct, ok := Place(to)
	if !ok {
		return fmt.Sprintf("%s is in no layer: add it to internal/layering", to)
	}
	switch {
	case lt < lf:
		return ""
	case lt > lf:
		return fmt.Sprintf("%s (%s) imports %s of the higher layer %s", from, layers[lf].name, to, layers[lt].name)
	case cf != ct:
		return fmt.Sprintf("%s imports %s sideways (both %s): share through a neutral lower package", from, to, layers[lf].name)
	}
	return ""
}
