package syslog

import (
	"context"
	"net/netip"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// maxDatagram holds the largest UDP payload (65,507 bytes over IPv4,
// 65,527 over IPv6), so a datagram is never cut.
const maxDatagram = 1 << 16

func (s *Source) runUDP(ctx, drain context.Context, in pipeline.Input) error {
	pc := s.pc
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()
	buf := make([]byte, maxDatagram)
	occ := event.NewOccurrences(0)
	bt := s.batcher(in, occ)
	var lastAddr netip.AddrPort
	var lastPeer string
	for {
		n, addr, err := pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || isClosed(err) {
				break
			}
			s.tel.Errors.Inc()
			s.log.Warn("read udp datagram", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if addr != lastAddr {
			lastAddr, lastPeer = addr, addr.String()
		}
		msg := trimTrailer(buf[:n])
		if len(msg) == 0 {
			continue
		}
		if err := bt.Add(drain, msg, "", lastPeer); err != nil {
			// The batch was counted as discarded by countingInput; a
			// Batcher keeps a failed submit's error, so start afresh.
			_ = bt.Close(drain)
			bt = s.batcher(in, occ)
		}
	}
	pc.Close()
	// A failed final flush was counted and logged by countingInput; Run
	// still ended because its context did, which is not an error.
	_ = bt.Close(drain)
	return nil
}
