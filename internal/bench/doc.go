// Package bench owns Vigil's reproducible end-to-end benchmark (`vigil
// bench`): a generator of a realistic mix of security logs, and a runner
// that starts a real `vigil serve`, sends the mix over TCP as fast as Vigil
// takes it, and measures sustained events/s, CPU-seconds per million
// events, peak RSS, bytes on disk per event once cold, and the latency of a
// fixed query set. With a peer (`--compare victoria-logs=PATH`) it runs
// VictoriaLogs on the same mix, alternating runs, asks it the same queries
// in LogsQL, and builds the side-by-side table of medians and ratios.
package bench
