// Package hunt owns offline hunting: it scans EVTX files, NDJSON files and
// zip/tar.gz archives of them with a Sigma rule set, in parallel, and
// reports every detection and a summary. `vigil hunt` is its command line;
// the rule engine is the same internal/detect/sigma that `vigil serve` runs.
package hunt
