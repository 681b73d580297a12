package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/netlimit"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// errStopping ends a connection's reads when Run is stopping.
var errStopping = errors.New("syslog source stopping")

func (s *Source) runStream(ctx, drain context.Context, in pipeline.Input) error {
	ln := s.ln
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[*streamConn]struct{}{}
		open  = netlimit.NewCounter(netlimit.Limits{Max: s.cfg.MaxConnections, PerPeer: s.cfg.MaxConnectionsPerPeer})
	)
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.stop()
		}
		mu.Unlock()
	})
	defer stop()
	var backoff time.Duration
	var lastLimitWarn time.Time
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || isClosed(err) {
				break
			}
			// Running out of file descriptors and similar: wait and go on,
			// as net/http does, rather than end the listener.
			s.tel.Errors.Inc()
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept syslog connection", "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		release, refused := open.Acquire(conn.RemoteAddr())
		if refused != "" {
			s.tel.Errors.Inc()
			if time.Since(lastLimitWarn) > 10*time.Second {
				lastLimitWarn = time.Now()
				s.log.Warn("syslog connection refused: "+limitName(refused)+" reached", "max", s.cfg.MaxConnections,
					"max_per_peer", s.cfg.MaxConnectionsPerPeer, "peer", conn.RemoteAddr().String())
			}
			conn.Close()
			continue
		}
		c := &streamConn{Conn: conn}
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		if ctx.Err() != nil {
			c.stop()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer release()
			s.serveConn(ctx, drain, in, c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return nil
}

// limitName is the setting behind a netlimit refusal.
func limitName(reason string) string {
	if reason == netlimit.ReasonPeer {
		return "max_connections_per_peer"
	}
	return "max_connections"
}

// streamConn is an accepted connection whose reads carry a deadline: a
// short one while an unterminated message is buffered, the idle timeout
// otherwise.
type streamConn struct {
	net.Conn
	stopping atomic.Bool
	fr       *Framer
	idle     time.Duration
	short    bool // the current deadline is PartialFlush
}

func (c *streamConn) stop() {
	c.stopping.Store(true)
	_ = c.Conn.SetReadDeadline(time.Now())
}

// deadlineReader reads from the connection (or its TLS layer) with the
// deadline the framer's state asks for.
type deadlineReader struct {
	c *streamConn
	r io.Reader
}

func (d deadlineReader) Read(p []byte) (int, error) {
	c := d.c
	if c.stopping.Load() {
		return 0, errStopping
	}
	c.short = c.fr != nil && c.fr.HasPartial()
	t := c.idle
	if c.short {
		t = PartialFlush
	}
	if err := c.Conn.SetReadDeadline(time.Now().Add(t)); err != nil {
		return 0, err
	}
	// stop may have run between the check above and the new deadline.
	if c.stopping.Load() {
		return 0, errStopping
	}
	n, err := d.r.Read(p)
	if err != nil && c.stopping.Load() && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, errStopping
	}
	return n, err
}

func (s *Source) serveConn(ctx, drain context.Context, in pipeline.Input, c *streamConn) {
	defer c.Close()
	peer := c.RemoteAddr().String()
	log := s.log.With("peer", peer)
	c.idle = s.cfg.IdleTimeout.D()
	var r io.Reader = c.Conn
	if s.tlsConf != nil {
		tc := tls.Server(c.Conn, s.tlsConf)
		hctx, cancel := context.WithTimeout(ctx, HandshakeTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			s.tel.Errors.Inc()
			log.Warn("syslog tls handshake", "err", err)
			return
		}
		r = tc
	}
	fr := NewFramer(deadlineReader{c: c, r: r}, int(s.cfg.MaxMessageBytes))
	c.fr = fr
	bt := s.batcher(in, event.NewOccurrences(0))
	// A failed final flush is counted and logged by countingInput.
	defer func() { _ = bt.Close(drain) }()
	add := func(msg []byte) bool {
		if err := bt.Add(drain, msg, "", peer); err != nil {
			// Counted by countingInput; nothing more can be taken from
			// this connection.
			return false
		}
		return true
	}
	for {
		msg, err := fr.Next()
		if cut, bad := fr.TakeCounts(); cut+bad > 0 {
			s.tel.Discarded.Add(float64(cut))
			s.tel.Errors.Add(float64(bad))
			if bad > 0 {
				log.Warn("bad octet-counting header; reading the connection as LF-framed", "framing", fr.Framing().String())
			}
		}
		if err == nil {
			if !add(msg) {
				return
			}
			continue
		}
		switch {
		case errors.Is(err, errStopping):
			if p := fr.TakePartial(); p != nil {
				add(p)
			}
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			if c.short {
				if p := fr.TakePartial(); p != nil && !add(p) {
					return
				}
				continue
			}
			log.Debug("closing idle syslog connection", "idle", c.idle)
			if p := fr.TakePartial(); p != nil {
				add(p)
			}
			return
		case errors.Is(err, io.EOF):
			return
		default:
			// A reset or a TLS error: the messages read before it were
			// handed on; count the broken connection.
			s.tel.Errors.Inc()
			log.Warn("syslog connection broken", "err", err)
			if p := fr.TakePartial(); p != nil {
				add(p)
			}
			return
		}
	}
}
