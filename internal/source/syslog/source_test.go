package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func port(t *testing.T, a net.Addr) string {
	t.Helper()
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runLogger sends lines with util-linux logger, one message per line.
func runLogger(t *testing.T, lines []string, args ...string) {
	t.Helper()
	logger := requireTool(t, "logger")
	cmd := exec.Command(logger, args...)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("logger %v: %v: %s", args, err, out)
	}
}

func lines(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s message %d with some text and key=value pairs x%d", prefix, i, i*7)
	}
	return out
}

// checkArrived checks that every sent line arrived, once, in full, inside a
// record from 127.0.0.1, and that the "auto" parser the default config uses
// reads it: the message is the line sent, the tag the process name.
func checkArrived(t *testing.T, recs []pipeline.Record, sent []string, tag string) {
	t.Helper()
	if len(recs) != len(sent) {
		t.Fatalf("got %d records, want %d: %q", len(recs), len(sent), recordData(recs))
	}
	p, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if !strings.HasSuffix(string(r.Data), sent[i]) {
			t.Errorf("record %d = %q, want it to end with %q", i, r.Data, sent[i])
		}
		if !strings.HasPrefix(r.Peer, "127.0.0.1:") {
			t.Errorf("record %d peer = %q", i, r.Peer)
		}
		e := &event.Event{}
		if err := p.Parse(r.Data, e); err != nil {
			t.Errorf("record %d %q: parse: %v", i, r.Data, err)
			continue
		}
		if e.Message() != sent[i] || e.GetString("process.name") != tag || e.GetString("host.name") == "" {
			t.Errorf("record %d parsed as %s, want message %q from %s", i, e.AppendJSON(nil), sent[i], tag)
		}
	}
}

func TestLoggerUDPRFC3164(t *testing.T) {
	rec := &recorder{}
	s, m := startSource(t, Config{Protocol: ProtoUDP}, rec)
	sent := lines("udp3164", 20)
	runLogger(t, sent, "--udp", "--rfc3164", "-n", "127.0.0.1", "-P", port(t, s.Addr()), "-t", "vigiltest")
	recs := rec.wait(t, len(sent), 5*time.Second)
	checkArrived(t, recs, sent, "vigiltest")
	for _, r := range recs {
		if !strings.HasPrefix(string(r.Data), "<13>") || !strings.Contains(string(r.Data), "vigiltest") {
			t.Errorf("not an RFC 3164 message from logger: %q", r.Data)
		}
	}
	tel := m.Component("source", s.Name())
	if got := counter(tel.Received); got != float64(len(sent)) {
		t.Errorf("received counter %v, want %d", got, len(sent))
	}
}

func TestLoggerTCPOctetCountedRFC5424(t *testing.T) {
	rec := &recorder{}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	sent := lines("tcp5424", 50)
	runLogger(t, sent, "--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", port(t, s.Addr()), "-t", "vigiltest")
	recs := rec.wait(t, len(sent), 5*time.Second)
	checkArrived(t, recs, sent, "vigiltest")
	for _, r := range recs {
		if !strings.HasPrefix(string(r.Data), "<13>1 ") {
			t.Errorf("not an RFC 5424 message from logger: %q", r.Data)
		}
	}
}

func TestLoggerTCPLineFramed(t *testing.T) {
	rec := &recorder{}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	sent := lines("tcplf", 50)
	runLogger(t, sent, "--tcp", "--rfc3164", "-n", "127.0.0.1", "-P", port(t, s.Addr()), "-t", "vigiltest")
	checkArrived(t, rec.wait(t, len(sent), 5*time.Second), sent, "vigiltest")
}

func dial(t *testing.T, s *Source) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// A single LF-terminated message is handed on without a second message
// following and with the connection still open, well before the partial
// flush could have been the reason.
func TestNothingHeldBack(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"lf", "<13>Jan  2 03:04:05 host app: only one\n"},
		{"octet", "38 <13>Jan  2 03:04:05 host app: only one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
			c := dial(t, s)
			start := time.Now()
			if _, err := io.WriteString(c, tc.data); err != nil {
				t.Fatal(err)
			}
			recs := rec.wait(t, 1, 2*time.Second)
			if d := time.Since(start); d >= PartialFlush {
				t.Errorf("message arrived after %s: held back", d)
			}
			if string(recs[0].Data) != "<13>Jan  2 03:04:05 host app: only one" {
				t.Errorf("got %q", recs[0].Data)
			}
		})
	}
}

func TestUnterminatedMessageFlushedWhenQuiet(t *testing.T) {
	rec := &recorder{}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	c := dial(t, s)
	if _, err := io.WriteString(c, "<13>first\n<13>no terminator"); err != nil {
		t.Fatal(err)
	}
	recs := rec.wait(t, 2, 3*time.Second)
	if got := recordData(recs); got[0] != "<13>first" || got[1] != "<13>no terminator" {
		t.Fatalf("got %q", got)
	}
	// The connection stays usable afterwards.
	if _, err := io.WriteString(c, "<13>third\n"); err != nil {
		t.Fatal(err)
	}
	if recs := rec.wait(t, 3, 3*time.Second); string(recs[2].Data) != "<13>third" {
		t.Fatalf("got %q", recordData(recs))
	}
}

func TestUnterminatedMessageFlushedOnClose(t *testing.T) {
	rec := &recorder{}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	c := dial(t, s)
	if _, err := io.WriteString(c, "<13>a\x00<13>b\r\n<13>last"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := recordData(rec.wait(t, 3, 3*time.Second)); strings.Join(got, "|") != "<13>a|<13>b|<13>last" {
		t.Fatalf("got %q", got)
	}
}

func TestLongMessageCutAndCounted(t *testing.T) {
	rec := &recorder{}
	s, m := startSource(t, Config{Protocol: ProtoTCP, MaxMessageBytes: 480}, rec)
	c := dial(t, s)
	long := "<13>" + strings.Repeat("x", 1000)
	if _, err := io.WriteString(c, long+"\n<13>short\n"); err != nil {
		t.Fatal(err)
	}
	recs := rec.wait(t, 2, 3*time.Second)
	if string(recs[0].Data) != long[:480] || string(recs[1].Data) != "<13>short" {
		t.Fatalf("got %q", recordData(recs))
	}
	if got := counter(m.Component("source", s.Name()).Discarded); got != 1 {
		t.Errorf("discarded = %v, want 1", got)
	}
}

func TestMaxConnections(t *testing.T) {
	rec := &recorder{}
	s, m := startSource(t, Config{Protocol: ProtoTCP, MaxConnections: 2}, rec)
	c1, c2 := dial(t, s), dial(t, s)
	for _, c := range []net.Conn{c1, c2} {
		if _, err := io.WriteString(c, "<13>hello\n"); err != nil {
			t.Fatal(err)
		}
	}
	rec.wait(t, 2, 3*time.Second)
	c3 := dial(t, s)
	_ = c3.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c3.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("third connection: want it closed by the server, got %v", err)
	}
	if got := counter(m.Component("source", s.Name()).Errors); got != 1 {
		t.Errorf("errors = %v, want 1", got)
	}
	// Closing one frees a slot, once the server has read its end; until
	// then a new connection is refused and counted. Each try ends in one of
	// the two events.
	c1.Close()
	for try := 1; ; try++ {
		errs := counter(m.Component("source", s.Name()).Errors)
		c4 := dial(t, s)
		if _, err := io.WriteString(c4, "<13>again\n"); err != nil {
			t.Fatal(err)
		}
		served := false
		testutil.Eventually(t, "the connection served or refused", func() bool {
			served = len(rec.records()) >= 3
			return served || counter(m.Component("source", s.Name()).Errors) > errs
		})
		if served {
			break
		}
		c4.Close()
		if try == 100 {
			t.Fatal("closing a connection did not free its slot")
		}
	}
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// When the pipeline does not take batches, the source stops reading and the
// sender's writes block; once it takes them again, everything arrives.
func TestBackPressure(t *testing.T) {
	gate := make(chan struct{})
	rec := &recorder{gate: gate, blocked: make(chan struct{}, 1)}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	c := dial(t, s)
	msg := "<13>" + strings.Repeat("b", 1019) + "\n"
	var written int
	blocked := false
	for written < 256<<20/len(msg) {
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		n, err := io.WriteString(c, msg)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			if n > 0 {
				// Finish the message so the count stays exact.
				_ = c.SetWriteDeadline(time.Time{})
				go func(rest string) { _, _ = io.WriteString(c, rest) }(msg[n:])
				written++
			}
			blocked = true
			break
		}
		written++
	}
	if !blocked {
		t.Fatalf("wrote %d MiB without being pushed back", written*len(msg)>>20)
	}
	t.Logf("pushed back after %d messages (%d MiB)", written, written*len(msg)>>20)
	close(gate)
	recs := rec.wait(t, written, 20*time.Second)
	for i, r := range recs {
		if len(r.Data) != len(msg)-1 {
			t.Fatalf("record %d has %d bytes", i, len(r.Data))
		}
	}
}

func TestTLSClientCertificates(t *testing.T) {
	pki := newTestPKI(t)
	rec := &recorder{}
	s, m := startSource(t, Config{Protocol: ProtoTLS, TLS: config.TLS{CertFile: pki.certFile, KeyFile: pki.keyFile,
		ClientCAFile: pki.caFile, ClientAuth: "require"}}, rec)
	// send reports the server's refusal of the client. With TLS 1.3 a
	// rejected client certificate shows on the first read, which waits up
	// to wait for it: a refused client gets its alert well within
	// testutil.WaitTimeout; an accepted one gets nothing.
	send := func(certs []tls.Certificate, msg string, wait time.Duration) error {
		c, err := tls.Dial("tcp", s.Addr().String(), &tls.Config{RootCAs: pki.pool, Certificates: certs})
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := io.WriteString(c, msg); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(wait))
		_, err = c.Read(make([]byte, 1))
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		return nil
	}
	if err := send([]tls.Certificate{pki.client}, "<13>with client cert\n<13>unterminated", 300*time.Millisecond); err != nil {
		t.Fatalf("client with certificate: %v", err)
	}
	recs := rec.wait(t, 2, 3*time.Second)
	if got := recordData(recs); got[0] != "<13>with client cert" || got[1] != "<13>unterminated" {
		t.Fatalf("got %q", got)
	}
	if err := send(nil, "<13>no cert\n", testutil.WaitTimeout); err == nil {
		t.Error("client without a certificate was accepted")
	}
	if err := send([]tls.Certificate{pki.otherClient}, "<13>wrong ca\n", testutil.WaitTimeout); err == nil {
		t.Error("client with a certificate of another CA was accepted")
	}
	testutil.Eventually(t, "two failed handshakes counted", func() bool {
		return counter(m.Component("source", s.Name()).Errors) >= 2
	})
	// A message sent after the rejected ones arrives after anything they
	// could have got through.
	if err := send([]tls.Certificate{pki.client}, "<13>marker\n", 300*time.Millisecond); err != nil {
		t.Fatalf("client with certificate: %v", err)
	}
	rec.wait(t, 3, 3*time.Second)
	if got := recordData(rec.records()); len(got) != 3 || got[2] != "<13>marker" {
		t.Errorf("rejected clients' messages arrived: %q", got)
	}
	if got := counter(m.Component("source", s.Name()).Errors); got != 2 {
		t.Errorf("errors = %v, want 2 (two failed handshakes)", got)
	}
}

func TestConfigValidate(t *testing.T) {
	f := func(c Config, wantErr string) {
		t.Helper()
		err := c.Validate()
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("Validate(%+v) = %v, want %q", c, err, wantErr)
		}
	}
	f(Config{}, "")
	f(Config{Protocol: "sctp"}, "want udp, tcp or tls")
	f(Config{Protocol: ProtoTLS}, "cert_file and tls.key_file are required")
	f(Config{Protocol: ProtoTCP, TLS: config.TLS{CertFile: "a", KeyFile: "b"}}, "need protocol tls")
	f(Config{Listen: "nohost"}, "listen")
	f(Config{MaxMessageBytes: 100}, "max_message_bytes")
	f(Config{IdleTimeout: config.Duration(time.Millisecond)}, "idle_timeout")
	c := Config{}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Protocol != ProtoUDP || c.Listen != "127.0.0.1:5514" || c.MaxMessageBytes != 64<<10 || c.MaxConnections != DefaultMaxConnections {
		t.Errorf("defaults: %+v", c)
	}
}

func TestConfigFromYAML(t *testing.T) {
	cfg, err := config.Parse([]byte(`
sources:
  - {name: syslog-udp, type: syslog, protocol: udp, listen: 127.0.0.1:5514}
  - {name: syslog-tcp, type: syslog, protocol: tcp, listen: 127.0.0.1:5514, max_message_bytes: 8KiB, timezone: Europe/Paris}
`))
	if err != nil {
		t.Fatal(err)
	}
	tcp := cfg.Sources[1].SourceConfig.(*Config)
	if tcp.Protocol != ProtoTCP || tcp.MaxMessageBytes != 8<<10 || tcp.Tenant != "default" || tcp.Format != "auto" {
		t.Errorf("decoded %+v", tcp)
	}
	def := DefaultSources()
	for i, want := range []string{"syslog-udp", "syslog-tcp"} {
		c := def[i].SourceConfig.(*Config)
		if c.Name != want || c.Listen != "127.0.0.1:5514" || c.Protocol != strings.TrimPrefix(want, "syslog-") {
			t.Errorf("default source %d: %+v", i, c)
		}
	}
	if _, err := config.Parse([]byte("sources:\n  - {name: x, type: syslog, bogus: 1}\n")); err == nil {
		t.Error("unknown key accepted")
	}
}

// Through a real pipeline with the raw parser: events carry the message
// and the peer address.
func TestThroughPipeline(t *testing.T) {
	sink := &eventSink{got: make(chan string, 10)}
	p, err := pipeline.New(pipeline.Config{Workers: 1, Sinks: []pipeline.Sink{sink}, DeadLetters: sink})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	s, _ := startSource(t, Config{Protocol: ProtoTCP, SourceCommon: config.SourceCommon{Format: "raw", Tenant: "acme"}}, p)
	c := dial(t, s)
	if _, err := io.WriteString(c, "<13>through the pipeline\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sink.got:
		if !strings.Contains(got, `"message":"<13>through the pipeline"`) || !strings.Contains(got, `"log.source.address":"127.0.0.1:`) ||
			!strings.Contains(got, `"vigil.tenant":"acme"`) {
			t.Errorf("event %s", got)
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("no event")
	}
}

type eventSink struct{ got chan string }

func (s *eventSink) Name() string { return "test" }
func (s *eventSink) Write(_ context.Context, evs []*event.Event) error {
	for _, e := range evs {
		s.got <- string(e.AppendJSON(nil))
	}
	return nil
}
func (s *eventSink) WriteDeadLetters(_ context.Context, l []pipeline.DeadLetter) error {
	for _, d := range l {
		s.got <- "dead: " + d.Reason
	}
	return nil
}

// A real rsyslog forwards what it receives to two listeners, one with
// octet-counted framing and one with traditional LF framing, in
// RSYSLOG_ForwardFormat.
func TestRsyslogForwarding(t *testing.T) {
	rsyslogd := requireTool(t, "rsyslogd")
	recOctet, recLF := &recorder{}, &recorder{}
	sOctet, _ := startSource(t, Config{Protocol: ProtoTCP}, recOctet)
	sLF, _ := startSource(t, Config{Protocol: ProtoTCP}, recLF)
	dir := t.TempDir()
	inPort := freePort(t)
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" port=%q address="127.0.0.1")
action(type="omfwd" target="127.0.0.1" port=%q protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_ForwardFormat")
action(type="omfwd" target="127.0.0.1" port=%q protocol="tcp" TCP_Framing="traditional" template="RSYSLOG_ForwardFormat")
`, dir, inPort, port(t, sOctet.Addr()), port(t, sLF.Addr()))
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rsyslogd, "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslog.pid"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Wait for rsyslog's input to listen.
	var err error
	listening := testutil.Poll(testutil.WaitTimeout, func() bool {
		var c net.Conn
		if c, err = net.Dial("tcp", "127.0.0.1:"+inPort); err == nil {
			c.Close()
		}
		return err == nil
	})
	if !listening {
		t.Fatalf("rsyslog did not listen: %v\n%s", err, out.String())
	}
	sent := lines("rsyslog", 100)
	runLogger(t, sent, "--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", inPort, "-t", "viaRsyslog")
	// A last message, sent after the others, arrives after them and after
	// anything sent twice.
	runLogger(t, []string{"rsyslog marker"}, "--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", inPort, "-t", "viaRsyslog")
	for name, rec := range map[string]*recorder{"octet-counted": recOctet, "traditional": recLF} {
		recs := rec.wait(t, len(sent)+1, 10*time.Second)
		if last := string(recs[len(recs)-1].Data); !strings.HasSuffix(last, "rsyslog marker") {
			t.Fatalf("%s: last record %q, want the marker (%d records for %d sent)", name, last, len(recs), len(sent)+1)
		}
		recs = recs[:len(recs)-1]
		checkArrived(t, recs, sent, "viaRsyslog")
		for i, r := range recs {
			d := string(r.Data)
			// RSYSLOG_ForwardFormat: <PRI>TIMESTAMP(RFC 3339) HOST TAG MSG
			if !strings.HasPrefix(d, "<13>") || !strings.Contains(d, "viaRsyslog") || !strings.HasSuffix(d, sent[i]) {
				t.Errorf("%s: record %d = %q, want the forwarded %q", name, i, d, sent[i])
			}
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func TestBadClientsDoNotStopListener(t *testing.T) {
	rec := &recorder{}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	// A client that sends binary junk and resets the connection.
	c := dial(t, s)
	if _, err := c.Write([]byte("\x00\xff\xfe9999999999999 \x01\x02")); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).SetLinger(0)
	c.Close()
	good := dial(t, s)
	if _, err := io.WriteString(good, "<13>still listening\n"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the good client's message", func() bool {
		got := recordData(rec.records())
		return len(got) > 0 && got[len(got)-1] == "<13>still listening"
	})

	// TLS: a plaintext client fails its handshake; the next one is served.
	pki := newTestPKI(t)
	trec := &recorder{}
	ts, m := startSource(t, Config{Protocol: ProtoTLS, TLS: config.TLS{CertFile: pki.certFile, KeyFile: pki.keyFile}}, trec)
	pc := dial(t, ts)
	if _, err := io.WriteString(pc, "<13>plaintext to a tls port\n"); err != nil {
		t.Fatal(err)
	}
	_, _ = pc.Read(make([]byte, 64))
	tc, err := tls.Dial("tcp", ts.Addr().String(), &tls.Config{RootCAs: pki.pool})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if _, err := io.WriteString(tc, "<13>over tls\n"); err != nil {
		t.Fatal(err)
	}
	if got := recordData(trec.wait(t, 1, 3*time.Second)); got[0] != "<13>over tls" {
		t.Fatalf("got %q", got)
	}
	if n := counter(m.Component("source", ts.Name()).Errors); n != 1 {
		t.Errorf("errors = %v, want 1 (the plaintext handshake)", n)
	}
}
