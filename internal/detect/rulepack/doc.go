// Package rulepack owns installing rule packages: a SigmaHQ release (or
// any zip or tar.gz of Sigma rules), from a file or an http(s) URL, into a
// directory of its own below the data directory's rules/ directory, which
// `vigil serve` loads and reloads (docs/rules.md).
//
// Install reads the archive within bounds (Limits), keeps only .yml/.yaml
// files at safe relative paths (no absolute paths, no `..`, no links, no
// dot directories), compiles them, drops the files none of whose rules
// compiled, reports every rejection with its reason, and swaps the
// package's directory in whole: a reload never sees half a package, and a
// failed install leaves the installed one as it was.
package rulepack
