package bench

import "context"

// The helpers below serve measurements outside this package that drive
// several `vigil serve` processes (internal/bench/cmd/busscale).

// CPUSeconds returns the user+system CPU time of process pid so far.
func CPUSeconds(pid int) (float64, error) { return cpuSeconds(pid) }

// Send writes events 0..n-1 of gen to the syslog TCP listener at addr
// (octet-counted framing) over conns connections, and returns the bytes
// sent.
func Send(ctx context.Context, addr string, gen *Generator, n, conns int) (int64, error) {
	return send(ctx, addr, gen, n, conns)
}

// StoredRows reads how many events and dead letters the node at base
// (http://host:port) has written, from its /metrics.
func StoredRows(ctx context.Context, base string) (events, dead int64, err error) {
	return storedRows(ctx, base)
}
