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
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/forward"
)

// Output sends events to a syslog receiver.
type Output struct {
	cfg  Config
	tls  *tls.Config
	conn net.Conn
	buf  []byte
	msg  []byte
}

// New returns a syslog output; it connects on the first Send.
func New(cfg Config, env forward.BuildEnv) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("syslog output %s: %w", env.Name, err)
	}
	o := &Output{cfg: cfg}
	if cfg.Protocol == ProtoTLS {
		tc, err := cfg.TLS.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("syslog output %s: %w", env.Name, err)
		}
		if tc.ServerName == "" {
			host, _, _ := net.SplitHostPort(cfg.Address)
			tc.ServerName = host
		}
		o.tls = tc
	}
	return o, nil
}

// Send implements forward.Output.
func (o *Output) Send(ctx context.Context, b *forward.Batch) error {
	if o.cfg.Protocol == ProtoUDP {
		return o.sendUDP(ctx, b)
	}
	if err := o.connect(ctx); err != nil {
		return err
	}
	o.buf = o.buf[:0]
	for _, e := range b.Events {
		o.msg = o.appendMessage(o.msg[:0], e)
		if o.cfg.Framing == FramingOctet {
			o.buf = strconv.AppendInt(o.buf, int64(len(o.msg)), 10)
			o.buf = append(o.buf, ' ')
			o.buf = append(o.buf, o.msg...)
		} else {
			o.buf = append(o.buf, o.msg...)
			o.buf = append(o.buf, '\n')
		}
	}
	deadline := time.Now().Add(o.cfg.Timeout.D())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = o.conn.SetWriteDeadline(deadline)
	if _, err := o.conn.Write(o.buf); err != nil {
		o.drop()
		return fmt.Errorf("write to %s: %w", o.cfg.Address, err)
	}
	return nil
}

// connect opens the connection, or checks that the open one was not
// closed by the receiver.
func (o *Output) connect(ctx context.Context) error {
	if o.conn != nil && !o.alive() {
		o.drop()
	}
	if o.conn != nil {
		return nil
	}
	d := net.Dialer{Timeout: o.cfg.Timeout.D(), KeepAlive: 30 * time.Second}
	var c net.Conn
	var err error
	if o.tls != nil {
		td := tls.Dialer{NetDialer: &d, Config: o.tls}
		c, err = td.DialContext(ctx, "tcp", o.cfg.Address)
	} else {
		c, err = d.DialContext(ctx, "tcp", o.cfg.Address)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", o.cfg.Address, err)
	}
	o.conn = c
	return nil
}

// alive reports whether the receiver has not closed the connection: a
// syslog receiver never sends, so a read that does not time out at once
// means end of file or an error.
func (o *Output) alive() bool {
	_ = o.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var one [1]byte
	_, err := o.conn.Read(one[:])
	_ = o.conn.SetReadDeadline(time.Time{})
	return errors.Is(err, os.ErrDeadlineExceeded)
}

func (o *Output) drop() {
	if o.conn != nil {
		o.conn.Close()
		o.conn = nil
	}
}

func (o *Output) sendUDP(ctx context.Context, b *forward.Batch) error {
	if o.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "udp", o.cfg.Address)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", o.cfg.Address, err)
		}
		o.conn = c
	}
	for _, e := range b.Events {
		o.msg = o.appendMessage(o.msg[:0], e)
		if len(o.msg) > MaxUDPMessage {
			return forward.Permanent(fmt.Errorf("event %s: %d-byte message is larger than a UDP datagram", e.ID, len(o.msg)))
		}
	}
	for _, e := range b.Events {
		o.msg = o.appendMessage(o.msg[:0], e)
		_ = o.conn.SetWriteDeadline(time.Now().Add(o.cfg.Timeout.D()))
		if _, err := o.conn.Write(o.msg); err != nil {
			o.drop()
			return fmt.Errorf("send to %s: %w", o.cfg.Address, err)
		}
	}
	return nil
}

// Close implements forward.Output.
func (o *Output) Close() error {
	o.drop()
	return nil
}
