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
)

// Conn is a connection to a syslog receiver over tcp, tls or udp, shared
// by the syslog output and the syslog response (internal/response). It
// connects on the first Write. Before each write to a stream it checks that
// the receiver has not closed the connection (a syslog receiver never
// sends, so a zero-wait read that does not time out means end of file or
// an error: a write to such a connection would succeed and be lost), and
// after any error it drops the connection, so the next Write connects
// again. A Conn is used by one goroutine at a time.
type Conn struct {
	network, address string
	tls              *tls.Config
	timeout          time.Duration
	conn             net.Conn
}

// NewConn returns a connection to address over network (ProtoTCP,
// ProtoTLS or ProtoUDP). tlsCfg is used for ProtoTLS; its ServerName
// defaults to address's host. timeout bounds connecting and each write
// (and the context's deadline, when earlier).
func NewConn(network, address string, tlsCfg *tls.Config, timeout time.Duration) *Conn {
	if network == ProtoTLS && tlsCfg != nil && tlsCfg.ServerName == "" {
		tlsCfg = tlsCfg.Clone()
		tlsCfg.ServerName, _, _ = net.SplitHostPort(address)
	}
	return &Conn{network: network, address: address, tls: tlsCfg, timeout: timeout}
}

// AppendFrame appends msg framed for a stream: with octet counting (RFC
// 6587 §3.4.1, RFC 5425) or followed by a newline.
func AppendFrame(dst, msg []byte, octets bool) []byte {
	if octets {
		dst = strconv.AppendInt(dst, int64(len(msg)), 10)
		dst = append(dst, ' ')
		return append(dst, msg...)
	}
	dst = append(dst, msg...)
	return append(dst, '\n')
}

// Write sends b: framed messages on a stream, one message as a datagram
// over udp.
func (c *Conn) Write(ctx context.Context, b []byte) error {
	if c.conn != nil && c.network != ProtoUDP && !c.alive() {
		c.drop()
	}
	if c.conn == nil {
		if err := c.connect(ctx); err != nil {
			return err
		}
	}
	var deadline time.Time // none
	if c.timeout > 0 {
		deadline = time.Now().Add(c.timeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	_ = c.conn.SetWriteDeadline(deadline)
	if _, err := c.conn.Write(b); err != nil {
		c.drop()
		return fmt.Errorf("write to %s: %w", c.address, err)
	}
	return nil
}

func (c *Conn) connect(ctx context.Context) error {
	d := net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}
	var err error
	switch c.network {
	case ProtoTLS:
		td := tls.Dialer{NetDialer: &d, Config: c.tls}
		c.conn, err = td.DialContext(ctx, "tcp", c.address)
	default:
		c.conn, err = d.DialContext(ctx, c.network, c.address)
	}
	if err != nil {
		c.conn = nil
		return fmt.Errorf("connect to %s: %w", c.address, err)
	}
	return nil
}

// alive reports whether the receiver has not closed the stream.
func (c *Conn) alive() bool {
	_ = c.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var one [1]byte
	_, err := c.conn.Read(one[:])
	_ = c.conn.SetReadDeadline(time.Time{})
	return errors.Is(err, os.ErrDeadlineExceeded)
}

func (c *Conn) drop() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// Close closes the connection; a later Write connects again.
func (c *Conn) Close() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}
