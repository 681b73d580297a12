// Package config owns vigil.yaml: its structure, the defaults that make an
// empty file (or no file) work on a laptop, and validation. Components that
// have their own settings (sources, outputs) register their config types here
// by name, so a source's settings live next to its code and the config file
// still reads as one document (the Prometheus discovery pattern).
package config
