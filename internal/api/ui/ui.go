// Package ui holds the analyst console's built bundle (web/ built by Vite
// into dist/, committed), embedded so that `vigil serve` needs no Node.
// scripts/test rebuilds it and fails if the committed bundle differs.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the bundle: index.html and assets/.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path; fs.Sub cannot fail on it
	}
	return sub
}
