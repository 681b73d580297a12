package bench

import (
	"context"
	"fmt"
)

// Comparison is what `vigil bench --compare` measured: every run of each
// system, and the table of their medians.
type Comparison struct {
	Vigil []*Report `json:"vigil"`
	Peer  []*Report `json:"peer"`
	Table *Table    `json:"table"`
}

// Compare runs Vigil (o.Bin) and the peer (a VictoriaLogs binary) on the same
// mix, runs times each, alternated (Vigil, peer, Vigil, peer, …) so that the
// load of a shared machine falls on both alike. Both are sent the records
// over one TCP connection (o.Conns is set to 1), and o.Dir is not used: each
// run has a temporary directory of its own, removed after.
func Compare(ctx context.Context, o Options, peerName, peerBin string, runs int) (*Comparison, error) {
	if peerName != PeerVictoriaLogs {
		return nil, fmt.Errorf("compare: unknown peer %q", peerName)
	}
	o.defaults()
	o.Conns, o.Dir = 1, ""
	runs = max(runs, 1)
	c := &Comparison{}
	for i := 0; i < runs; i++ {
		fmt.Fprintf(o.Log, "run %d of %d: vigil\n", i+1, runs)
		v, err := Run(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("run %d of vigil: %w", i+1, err)
		}
		c.Vigil = append(c.Vigil, v)
		fmt.Fprintf(o.Log, "run %d of %d: %s\n", i+1, runs, peerName)
		p, err := RunVictoriaLogs(ctx, o, peerBin)
		if err != nil {
			return nil, fmt.Errorf("run %d of %s: %w", i+1, peerName, err)
		}
		c.Peer = append(c.Peer, p)
	}
	c.Table = BuildTable(peerName, c.Vigil, c.Peer)
	return c, nil
}
