// Package syslog owns the syslog output: events sent to a syslog receiver
// as RFC 5424 messages over TCP with octet-counting framing (RFC 6587) or
// over TLS (RFC 5425), or as RFC 3164 messages over UDP for old receivers.
//
// Each RFC 5424 message carries the stable event.id, the tenant and the
// source in a structured-data element (`[vigil@32473 id="…" tenant="…"
// source="…"]`, the SD-ID configurable), and as MSG the event as a flat
// JSON object (or its original text); an RFC 3164 message carries the JSON,
// which holds event.id. HOSTNAME is host.name; PRI is the configured
// facility with the event's log.syslog.severity.code (or the configured
// severity).
//
// Syslog over TCP has no acknowledgements: a batch counts as delivered once
// the kernel took all of it. Before each batch the output checks that the
// receiver has not closed the connection (a zero-wait read), and on any
// error it reconnects and the whole batch is sent again, so a receiver
// that restarts sees duplicates (same event.id) rather than gaps; what the
// receiver's kernel had acknowledged when the receiver died can still be
// lost, which only an application-level protocol (RELP) would close. A
// frame cannot be taken back either: a sender killed mid-batch leaves the
// receiver the part of the last frame its kernel had, which the receiver
// may log cut short before the whole message arrives again. UDP delivery
// is a datagram sent.
package syslog

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/vigilsiem/vigil/internal/forward"
)

// Output sends events to a syslog receiver.
type Output struct {
	cfg  Config
	conn *Conn
	buf  []byte
	msg  []byte
	// hdr and params are reused for each message's header.
	hdr    Header
	params []Param
}

// New returns a syslog output; it connects on the first Send.
func New(cfg Config, env forward.BuildEnv) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("syslog output %s: %w", env.Name, err)
	}
	var tc *tls.Config
	if cfg.Protocol == ProtoTLS {
		var err error
		if tc, err = cfg.TLS.ClientConfig(); err != nil {
			return nil, fmt.Errorf("syslog output %s: %w", env.Name, err)
		}
	}
	return &Output{cfg: cfg, conn: NewConn(cfg.Protocol, cfg.Address, tc, cfg.Timeout.D())}, nil
}

// Send implements forward.Output.
func (o *Output) Send(ctx context.Context, b *forward.Batch) error {
	if o.cfg.Protocol == ProtoUDP {
		return o.sendUDP(ctx, b)
	}
	o.buf = o.buf[:0]
	for _, e := range b.Events {
		o.msg = o.appendMessage(o.msg[:0], e)
		o.buf = AppendFrame(o.buf, o.msg, o.cfg.Framing == FramingOctet)
	}
	return o.conn.Write(ctx, o.buf)
}

func (o *Output) sendUDP(ctx context.Context, b *forward.Batch) error {
	for _, e := range b.Events {
		o.msg = o.appendMessage(o.msg[:0], e)
		if len(o.msg) > MaxUDPMessage {
			return forward.Permanent(fmt.Errorf("event %s: %d-byte message is larger than a UDP datagram", e.ID, len(o.msg)))
		}
	}
	for _, e := range b.Events {
		o.msg = o.appendMessage(o.msg[:0], e)
		if err := o.conn.Write(ctx, o.msg); err != nil {
			return err
		}
	}
	return nil
}

// Close implements forward.Output.
func (o *Output) Close() error {
	return o.conn.Close()
}
