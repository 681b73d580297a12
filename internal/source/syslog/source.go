package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Source is one syslog listener.
type Source struct {
	cfg     Config
	tel     *pipeline.Telemetry
	log     *slog.Logger
	tlsConf *tls.Config

	mu   sync.Mutex
	ln   net.Listener
	pc   *net.UDPConn
	addr net.Addr
}

// New builds a syslog source from a validated config. It loads the TLS
// certificates, so a bad certificate fails here rather than on the first
// connection.
func New(cfg Config, env config.SourceEnv) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("syslog source %s: %w", cfg.Name, err)
	}
	if err := cfg.CheckTenant(); err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, tel: env.Metrics.Component("source", cfg.Name), log: env.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("source", cfg.Name, "protocol", cfg.Protocol)
	if cfg.Protocol == ProtoTLS {
		tc, err := cfg.TLS.ServerConfig()
		if err != nil {
			return nil, fmt.Errorf("syslog source %s: %w", cfg.Name, err)
		}
		s.tlsConf = tc
	}
	return s, nil
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Listen binds the socket. Run calls it when it has not been called; call
// it first to learn the bound address (Addr) of a ":0" listener or to fail
// fast on a port in use.
func (s *Source) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addr != nil {
		return nil
	}
	if s.cfg.Protocol == ProtoUDP {
		ua, err := net.ResolveUDPAddr("udp", s.cfg.Listen)
		if err != nil {
			return fmt.Errorf("syslog source %s: resolve %s: %w", s.cfg.Name, s.cfg.Listen, err)
		}
		pc, err := net.ListenUDP("udp", ua)
		if err != nil {
			return fmt.Errorf("syslog source %s: %w", s.cfg.Name, err)
		}
		if err := pc.SetReadBuffer(int(s.cfg.ReceiveBufferBytes)); err != nil {
			s.log.Warn("set udp receive buffer", "bytes", int64(s.cfg.ReceiveBufferBytes), "err", err)
		}
		s.pc, s.addr = pc, pc.LocalAddr()
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("syslog source %s: %w", s.cfg.Name, err)
	}
	s.ln, s.addr = ln, ln.Addr()
	return nil
}

// Addr is the bound address, nil before Listen.
func (s *Source) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Run implements pipeline.Source: it receives until ctx ends, then hands
// the messages already read to the pipeline (waiting up to DrainTimeout)
// and returns nil.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	if err := s.Listen(); err != nil {
		return err
	}
	// drain is the context submits use: it outlives ctx by DrainTimeout so
	// that what was read before the stop still reaches the pipeline.
	drain, cancelDrain := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelDrain()
	stopDrain := context.AfterFunc(ctx, func() {
		time.AfterFunc(DrainTimeout, cancelDrain)
	})
	defer stopDrain()
	in = &countingInput{in: in, tel: s.tel, log: s.log}
	s.log.Info("syslog listening", "addr", s.addr.String())
	if s.cfg.Protocol == ProtoUDP {
		return s.runUDP(ctx, drain, in)
	}
	return s.runStream(ctx, drain, in)
}

// batcher returns a batcher numbering identical records with occ: the
// occurrences of a record count within one TCP connection, or within the
// life of the UDP listener (see docs/outputs.md, event.id).
func (s *Source) batcher(in pipeline.Input, occ *event.Occurrences) *pipeline.Batcher {
	return pipeline.NewBatcher(in, pipeline.BatcherConfig{Tenant: s.cfg.Tenant, Source: s.cfg.Name,
		Format: s.cfg.Format, Telemetry: s.tel, Occurrences: occ})
}

// countingInput counts the records of a batch the pipeline did not take
// (it was stopping, or the drain time ran out) as discarded, so a loss at
// shutdown is visible.
type countingInput struct {
	in  pipeline.Input
	tel *pipeline.Telemetry
	log *slog.Logger
}

func (c *countingInput) Submit(ctx context.Context, b *pipeline.Batch) error {
	err := c.in.Submit(ctx, b)
	if err != nil {
		c.tel.Discarded.Add(float64(b.Len()))
		c.log.Error("submit syslog batch", "records", b.Len(), "err", err)
	}
	return err
}

// isClosed reports errors that mean the socket was closed by Run.
func isClosed(err error) bool { return errors.Is(err, net.ErrClosed) }
