package netflow

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/netflow/nftest"
	vtestutil "github.com/vigilsiem/vigil/internal/testutil"
)

var export = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

func v5Packet() []byte          { return nftest.V5(export) }
func v9Packet(tmpl bool) []byte { return nftest.V9(export, tmpl) }
func ipfixPacket() []byte       { return nftest.IPFIX(export) }

func newSource(t *testing.T, dir string) *Source {
	t.Helper()
	c := &Config{SourceCommon: config.SourceCommon{Name: "nf", Tenant: "default"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSource(config.SourceEnv{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Source)
}

var exporter = netip.MustParseAddrPort("127.0.0.1:9995")

func one(t *testing.T, b *pipeline.Batch) *event.Event {
	t.Helper()
	if len(b.Records) != 0 || len(b.Events) != 1 {
		t.Fatalf("%d events, %d rejected records; want one event", len(b.Events), len(b.Records))
	}
	return b.Events[0]
}

func want(t *testing.T, e *event.Event, fields map[string]string) {
	t.Helper()
	for k, v := range fields {
		if got := e.GetString(k); got != v {
			t.Errorf("%s = %q, want %q\n%s", k, got, v, e.AppendJSON(nil))
		}
	}
}

func TestV5(t *testing.T) {
	s := newSource(t, t.TempDir())
	e := one(t, s.handle(v5Packet(), exporter, export))
	want(t, e, map[string]string{"source.ip": "10.0.0.1", "destination.ip": "192.0.2.7", "source.port": "51000", "destination.port": "443",
		"network.transport": "tcp", "network.iana_number": "6", "network.bytes": "4200", "network.packets": "10", "source.bytes": "4200",
		"observer.ip": "127.0.0.1", "event.start": "2026-12-07T05:59:50Z", "event.end": "2026-12-07T05:59:59Z"})
}

func TestV9AndTemplatesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s := newSource(t, dir)
	// Data before its template: dead-lettered, counted.
	b := s.handle(v9Packet(false), exporter, export)
	if len(b.Events) != 0 || len(b.Records) != 1 || testutil.ToFloat64(s.bad) != 1 {
		t.Fatalf("data without a template: %d events, %d rejected, %v bad", len(b.Events), len(b.Records), testutil.ToFloat64(s.bad))
	}
	if err := (RejectParser{}).Parse(b.Records[0].Data, &event.Event{}); err == nil {
		t.Fatal("reject parser accepted the packet")
	}
	e := one(t, s.handle(v9Packet(true), exporter, export))
	want(t, e, map[string]string{"source.ip": "10.0.0.2", "destination.ip": "198.51.100.9", "source.port": "53000", "destination.port": "53",
		"network.transport": "udp", "network.bytes": "300", "network.packets": "3", "event.start": "2026-12-07T05:59:55Z", "event.end": "2026-12-07T05:59:59.5Z"})
	if err := s.tmpl.save(); err != nil {
		t.Fatal(err)
	}
	// A restarted listener decodes data sets with the saved template; another exporter has none.
	s2 := newSource(t, dir)
	want(t, one(t, s2.handle(v9Packet(false), exporter, export)), map[string]string{"source.ip": "10.0.0.2"})
	if b := s2.handle(v9Packet(false), netip.MustParseAddrPort("127.0.0.2:9995"), export); len(b.Events) != 0 || len(b.Records) != 1 {
		t.Fatal("templates not kept per exporter")
	}
	if _, err := filepath.Glob(filepath.Join(dir, "state", "nf", "netflow-templates.json")); err != nil {
		t.Fatal(err)
	}
}

func TestFlowIDs(t *testing.T) {
	s := newSource(t, t.TempDir())
	a, b := one(t, s.handle(v5Packet(), exporter, export)), one(t, s.handle(v5Packet(), exporter, export.Add(time.Hour)))
	c := one(t, s.handle(v5Packet(), netip.MustParseAddrPort("127.0.0.3:9995"), export))
	if a.ID == "" || a.ID != b.ID || a.ID == c.ID {
		t.Fatalf("ids %q %q %q: want the same packet from the same exporter to keep its id, another exporter's to differ", a.ID, b.ID, c.ID)
	}
}

func TestIPFIX(t *testing.T) {
	s := newSource(t, t.TempDir())
	e := one(t, s.handle(ipfixPacket(), exporter, export))
	want(t, e, map[string]string{"source.ip": "2001:db8::1", "destination.ip": "2001:db8::2", "destination.port": "22", "network.transport": "tcp",
		"network.bytes": "9000", "network.packets": "12", "network.type": "ipv6", "event.start": "2026-12-07T05:59:55Z", "event.end": "2026-12-07T06:00:00Z"})
}

// TestZeroLengthTemplate: a template whose fields have no bytes would make
// the decoder loop for ever on its data sets (found by FuzzDecode); it is
// refused and the packet dead-lettered.
func TestZeroLengthTemplate(t *testing.T) {
	s := newSource(t, t.TempDir())
	pkt := nftest.V9(export, true)
	// Set every field length of the template (after the 20-byte header and
	// the 8-byte set and template headers) to 0.
	for off := 20 + 8; off < 20+8+4*9; off += 4 {
		pkt[off+2], pkt[off+3] = 0, 0
	}
	if b := s.handle(pkt, exporter, export); len(b.Records) != 1 || len(b.Events) != 0 {
		t.Fatalf("%d events, %d rejected", len(b.Events), len(b.Records))
	}
}

// TestFlowsPerPacketBounded: a template of 4-byte records (a source
// address only) must not turn one packet into 5,000 events.
func TestFlowsPerPacketBounded(t *testing.T) {
	s := newSource(t, t.TempDir())
	const n = 5000
	pkt := binary.BigEndian.AppendUint16(nil, 9)
	for _, v := range []uint16{2, 0, 1, 0, 1, 0, 0, 0, 42} { // count; uptime, secs, seq, source id as 16-bit halves
		pkt = binary.BigEndian.AppendUint16(pkt, v)
	}
	pkt = append(pkt, 0, 0, 0, 12, 1, 0, 0, 1, 0, 8, 0, 4) // template 256: IPV4_SRC_ADDR, 4 bytes
	pkt = binary.BigEndian.AppendUint16(pkt, 256)
	pkt = binary.BigEndian.AppendUint16(pkt, 4+4*n)
	for i := 0; i < n; i++ {
		pkt = append(pkt, 10, 0, byte(i>>8), byte(i))
	}
	b := s.handle(pkt, exporter, export)
	if len(b.Events) != maxFlowsPerPacket || len(b.Records) != 1 {
		t.Fatalf("%d events, %d rejected; want %d and the packet dead-lettered", len(b.Events), len(b.Records), maxFlowsPerPacket)
	}
}

func TestBadPacketsCounted(t *testing.T) {
	s := newSource(t, t.TempDir())
	for _, p := range [][]byte{{}, {0, 5, 0}, {0, 7, 1, 2}, v5Packet()[:30], v9Packet(true)[:25]} {
		if b := s.handle(p, exporter, export); len(b.Records) != 1 {
			t.Errorf("packet %x not rejected", p)
		}
	}
	if got := testutil.ToFloat64(s.bad); got != 5 {
		t.Fatalf("bad packets %v, want 5", got)
	}
}

func TestListenerEndToEnd(t *testing.T) {
	c := &Config{SourceCommon: config.SourceCommon{Name: "nf", Tenant: "default"}, Listen: "127.0.0.1:0"}
	_ = c.Validate()
	src, _ := c.NewSource(config.SourceEnv{DataDir: t.TempDir()})
	s := src.(*Source)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	in := make(chanInput, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx, in) }()
	conn, err := net.Dial("udp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write(v5Packet())
	var b *pipeline.Batch
	select {
	case b = <-in:
	case <-time.After(vtestutil.WaitTimeout):
		t.Fatal("no batch for the packet")
	}
	e := one(t, b)
	want(t, e, map[string]string{"observer.ip": "127.0.0.1", "destination.port": "443"})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type chanInput chan *pipeline.Batch

func (c chanInput) Submit(ctx context.Context, b *pipeline.Batch) error {
	select {
	case c <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(v5Packet())
	f.Add(v9Packet(true))
	f.Add(v9Packet(false))
	f.Add(ipfixPacket())
	f.Fuzz(func(t *testing.T, pkt []byte) {
		tm, _ := newTemplates("")
		et := tm.exporter("x")
		flows, _ := decodePacket(pkt, et)
		for i := range flows {
			flows[i].toEvent(&event.Event{}, netip.MustParseAddr("127.0.0.1"))
		}
		_ = (RejectParser{}).Parse(pkt, &event.Event{})
	})
}
