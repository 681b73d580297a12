package netflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"time"

	nf "github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Format is the batch format of rejected packets: its parser
// (RejectParser, registered as an internal format) turns each into a dead
// letter with the reason.
const Format = "netflow"

// DefaultListen is loopback, like every listener.
const DefaultListen = "127.0.0.1:2055"

// maxPacket is the largest UDP payload.
const maxPacket = 65535

// receiveBuffer is the socket receive buffer asked for: exporters send in
// bursts at the end of their active timeout; 8 MiB absorbs one while the
// pipeline pushes back (as the syslog listener).
const receiveBuffer = 8 << 20

func init() {
	config.RegisterSource("netflow", func() config.SourceConfig { return &Config{} })
	parse.Register(Format, parse.Format{Internal: true, New: func(parse.Options) (parse.Parser, error) { return RejectParser{}, nil }})
}

// Config is a "netflow" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	// Listen is the UDP host:port. Default: 127.0.0.1:2055.
	Listen string `yaml:"listen"`
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if _, err := net.ResolveUDPAddr("udp", c.Listen); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	file := ""
	if env.DataDir != "" {
		file = filepath.Join(env.DataDir, "state", c.Name, "netflow-templates.json")
	}
	tm, err := newTemplates(file)
	if err != nil {
		return nil, err
	}
	log := env.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Source{cfg: *c, tmpl: tm, log: log,
		packets: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_netflow_packets_total", Help: "NetFlow/IPFIX packets received.", ConstLabels: prometheus.Labels{"source": c.Name}}),
		bad:     prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_netflow_bad_packets_total", Help: "NetFlow/IPFIX packets that could not be decoded (dead-lettered).", ConstLabels: prometheus.Labels{"source": c.Name}}),
		flows:   prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_netflow_flows_total", Help: "Flows decoded.", ConstLabels: prometheus.Labels{"source": c.Name}}),
	}, nil
}

// Source is a NetFlow/IPFIX UDP listener.
type Source struct {
	cfg                 Config
	tmpl                *templates
	log                 *slog.Logger
	conn                *net.UDPConn
	packets, bad, flows prometheus.Counter
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Describe and Collect make the counters visible on /metrics.
func (s *Source) Describe(ch chan<- *prometheus.Desc) {
	s.packets.Describe(ch)
	s.bad.Describe(ch)
	s.flows.Describe(ch)
}

// Collect implements prometheus.Collector.
func (s *Source) Collect(ch chan<- prometheus.Metric) {
	s.packets.Collect(ch)
	s.bad.Collect(ch)
	s.flows.Collect(ch)
}

// Listen binds the socket.
func (s *Source) Listen() error {
	addr, err := net.ResolveUDPAddr("udp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen netflow: %w", err)
	}
	if s.conn, err = net.ListenUDP("udp", addr); err != nil {
		return fmt.Errorf("listen netflow: %w", err)
	}
	// Best effort: Linux caps it at net.core.rmem_max.
	_ = s.conn.SetReadBuffer(receiveBuffer)
	return nil
}

// Addr is the bound address.
func (s *Source) Addr() net.Addr {
	if s.conn == nil {
		return nil
	}
	return s.conn.LocalAddr()
}

// Run reads packets until ctx ends; each becomes a batch of flow events,
// and a bad packet a dead letter. Templates are saved when they changed,
// at most once a second, and at the end.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	if s.conn == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	go func() { <-ctx.Done(); s.conn.Close() }()
	defer func() {
		if err := s.tmpl.save(); err != nil {
			s.log.Error("save netflow templates", "source", s.cfg.Name, "err", err)
		}
	}()
	buf := make([]byte, maxPacket)
	lastSave := time.Now()
	for {
		n, peer, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.log.Warn("read netflow", "source", s.cfg.Name, "err", err)
			continue
		}
		b := s.handle(buf[:n], peer, time.Now().UTC())
		if err := in.Submit(ctx, b); err != nil {
			return nil
		}
		if time.Since(lastSave) > time.Second {
			lastSave = time.Now()
			if err := s.tmpl.save(); err != nil {
				s.log.Error("save netflow templates", "source", s.cfg.Name, "err", err)
			}
		}
	}
}

// handle decodes one packet from peer into a batch.
func (s *Source) handle(pkt []byte, peer netip.AddrPort, now time.Time) *pipeline.Batch {
	s.packets.Inc()
	b := &pipeline.Batch{Tenant: s.cfg.Tenant, Source: s.cfg.Name, Format: Format, Received: now}
	exporter := peer.Addr().Unmap()
	var ts nf.NetFlowTemplateSystem
	if et := s.tmpl.exporter(exporter.String()); et != nil {
		ts = et
	}
	flows, err := decodePacket(pkt, ts)
	for i := range flows {
		e := &event.Event{Tenant: s.cfg.Tenant, Source: s.cfg.Name}
		flows[i].toEvent(e, exporter)
		// The same packet from the same exporter gives the same ids, so a
		// replayed packet can be de-duplicated downstream: a packet carries
		// its exporter's sequence number, so two identical ones are one
		// packet sent twice (occurrence 0).
		e.ID = event.NewID(e.Tenant, e.Source, exporter.String()+"#"+strconv.Itoa(i), 0, pkt)
		b.Events = append(b.Events, e)
	}
	s.flows.Add(float64(len(flows)))
	if err != nil {
		s.bad.Inc()
		b.Records = []pipeline.Record{{Data: bytes.Clone(pkt), Peer: peer.String()}}
	}
	return b
}

// RejectParser is the parser of format "netflow": the listener hands it
// only packets it could not decode, and it answers why (decoding the
// packet again without templates), so the packet is dead-lettered with
// the reason.
type RejectParser struct{}

// Parse implements parse.Parser; it always fails.
func (RejectParser) Parse(data []byte, _ *event.Event) error {
	_, err := decodePacket(data, nil)
	if err == nil {
		return errors.New("netflow packet rejected by the listener")
	}
	if errors.Is(err, nf.ErrorTemplateNotFound) {
		return fmt.Errorf("%w (the exporter has not sent the template of a data set)", err)
	}
	return err
}
