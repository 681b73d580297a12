package syslog

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/parse/rfc5424"
	"github.com/vigilsiem/vigil/internal/pipeline"
	syslogsrc "github.com/vigilsiem/vigil/internal/source/syslog"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (VIGIL_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s not installed (see .ci/apt-packages.txt): %v", name, err)
	}
	return p
}

// rsyslog is a private rsyslogd that receives on one port (imtcp or
// imudp) and writes every message it gets, raw, to a file.
type rsyslog struct {
	bin, dir, port, proto, out string
	mu                         sync.Mutex
	cmd                        *exec.Cmd
}

func newRsyslog(t *testing.T, proto string) *rsyslog {
	t.Helper()
	r := &rsyslog{bin: requireTool(t, "rsyslogd"), dir: t.TempDir(), proto: proto}
	_, r.port, _ = net.SplitHostPort(testutil.FreeAddr(t))
	r.out = filepath.Join(r.dir, "received.log")
	t.Cleanup(r.stop)
	return r
}

func (r *rsyslog) addr() string { return "127.0.0.1:" + r.port }

func (r *rsyslog) start(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return
	}
	input := fmt.Sprintf(`module(load="imtcp")
input(type="imtcp" port=%q address="127.0.0.1")`, r.port)
	if r.proto == ProtoUDP {
		input = fmt.Sprintf(`module(load="imudp")
input(type="imudp" port=%q address="127.0.0.1")`, r.port)
	}
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k")
%s
template(name="raw" type="string" string="%%rawmsg%%\n")
action(type="omfile" file=%q template="raw")
`, r.dir, input, r.out)
	confFile := filepath.Join(r.dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(r.bin, "-n", "-f", confFile, "-i", filepath.Join(r.dir, "rsyslog.pid"))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.cmd = cmd
	var err error
	listening := testutil.Poll(testutil.WaitTimeout, func() bool {
		if r.proto == ProtoUDP {
			// imudp gives no sign of being ready but its bound socket.
			bound, berr := testutil.UDPBound(r.port)
			err = berr
			return bound || berr != nil
		}
		var c net.Conn
		if c, err = net.Dial("tcp", r.addr()); err == nil {
			c.Close()
		}
		return err == nil
	})
	if !listening || err != nil {
		t.Fatalf("rsyslog did not listen: %v", err)
	}
}

func (r *rsyslog) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// lines returns the messages rsyslog wrote.
func (r *rsyslog) lines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(r.out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	// rsyslog may be writing a line as it is read: only whole lines count.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	var out []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// received parses the messages: the JSON body's event.id and kill.seq,
// checked against the structured data's id (RFC 5424).
func received(t *testing.T, lines []string) []forwardtest.Received {
	t.Helper()
	var got []forwardtest.Received
	p := rfc5424.New()
	for _, l := range lines {
		i := strings.IndexByte(l, '{')
		if i < 0 {
			t.Fatalf("message without a JSON body: %q", l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l[i:]), &m); err != nil {
			t.Fatalf("message %q: %v", l, err)
		}
		id, _ := m["event.id"].(string)
		seq, _ := m["kill.seq"].(float64)
		if strings.HasPrefix(l, "<") && strings.Contains(l[:8], ">1 ") {
			var e event.Event
			if err := p.Parse([]byte(l), &e); err != nil {
				t.Fatalf("rsyslog kept %q, which does not parse as RFC 5424: %v", l, err)
			}
			if sd := e.GetString(rfc5424.SDPrefix + DefaultSDID + ".id"); sd != id {
				t.Fatalf("structured data id %q, body id %q in %q", sd, id, l)
			}
		}
		got = append(got, forwardtest.Received{ID: id, Seq: int(seq)})
	}
	return got
}

func syslogConfig(addr, extra string) string {
	return fmt.Sprintf(`
outputs:
  - name: syslog
    type: syslog
    address: %q
    timeout: 2s
    retry: {initial: 20ms, max: 200ms}
    batch: {max_events: 100, linger: 5ms}
%s
routes:
  - outputs: [syslog]
`, addr, extra)
}

func start(t *testing.T, yaml string) *forward.Manager {
	t.Helper()
	c, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	m, err := forward.New(c.Outputs, c.Routes, forward.Env{DataDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(func() { _ = m.Stop() })
	return m
}

func events(from, to int) []*event.Event {
	var evs []*event.Event
	for i := from; i < to; i++ {
		evs = append(evs, forwardtest.Event(i))
	}
	return evs
}

func waitLines(t *testing.T, r *rsyslog, n int) []string {
	t.Helper()
	var l []string
	if !testutil.Poll(testutil.WaitTimeout, func() bool { l = r.lines(t); return len(l) >= n }) {
		t.Fatalf("rsyslog wrote %d messages, want %d", len(l), n)
	}
	return l
}

func checkAll(t *testing.T, got []forwardtest.Received, n int) {
	t.Helper()
	seen := map[int]bool{}
	for _, r := range got {
		if r.ID != forwardtest.Event(r.Seq).ID {
			t.Fatalf("event %d arrived with id %s", r.Seq, r.ID)
		}
		seen[r.Seq] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct events arrived, want %d", len(seen), n)
	}
}

// A real rsyslog receives RFC 5424 over TCP, octet-counted and LF-framed.
func TestRsyslogTCP(t *testing.T) {
	for _, framing := range []string{FramingOctet, FramingLF} {
		t.Run(framing, func(t *testing.T) {
			r := newRsyslog(t, ProtoTCP)
			r.start(t)
			start(t, syslogConfig(r.addr(), "    framing: "+framing)).Sink().Write(context.Background(), events(0, 300))
			lines := waitLines(t, r, 300)
			checkAll(t, received(t, lines), 300)
			// HOSTNAME is host.name, APP-NAME vigil, PRI local0.info.
			if !strings.HasPrefix(lines[0], "<134>1 2026-") || !strings.Contains(lines[0], " host-") || !strings.Contains(lines[0], " vigil - - [vigil@32473 id=\"") {
				t.Errorf("message %q", lines[0])
			}
		})
	}
}

// RFC 3164 over UDP, for old receivers.
func TestRsyslogUDP3164(t *testing.T) {
	r := newRsyslog(t, ProtoUDP)
	r.start(t)
	m := start(t, syslogConfig(r.addr(), "    protocol: udp\n    format: rfc3164\n    throttle: {events_per_second: 2000}"))
	if err := m.Sink().Write(context.Background(), events(0, 50)); err != nil {
		t.Fatal(err)
	}
	lines := waitLines(t, r, 50)
	checkAll(t, received(t, lines), 50)
	if !strings.HasPrefix(lines[0], "<134>") || !strings.Contains(lines[0], " vigil: {") {
		t.Errorf("message %q", lines[0])
	}
}

// TLS (RFC 5425) to Vigil's own syslog listener, verifying its certificate.
func TestTLS(t *testing.T) {
	pki := newPKI(t)
	in := &inputRecorder{}
	cfg := syslogsrc.Config{SourceCommon: config.SourceCommon{Name: "tls-in", Type: "syslog"}, Protocol: syslogsrc.ProtoTLS,
		Listen: "127.0.0.1:0", TLS: config.TLS{CertFile: pki.cert, KeyFile: pki.key}}
	src, err := syslogsrc.New(cfg, config.SourceEnv{Metrics: pipeline.NewMetrics(nil), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go src.Run(ctx, in)
	m := start(t, syslogConfig(src.Addr().String(), fmt.Sprintf("    tls: {ca_file: %s}", pki.ca)))
	if err := m.Sink().Write(context.Background(), events(0, 120)); err != nil {
		t.Fatal(err)
	}
	testutil.Poll(testutil.WaitTimeout, func() bool { return len(in.lines()) >= 120 })
	checkAll(t, received(t, in.lines()), 120)
	if st := m.Status()[0]; st.Delivered != 120 {
		t.Errorf("status %+v", st)
	}

	// A server whose certificate the CA did not sign is refused.
	other := newPKI(t)
	m2 := start(t, syslogConfig(src.Addr().String(), fmt.Sprintf("    tls: {ca_file: %s}", other.ca)))
	if err := m2.Sink().Write(context.Background(), events(0, 1)); err != nil {
		t.Fatal(err)
	}
	testutil.Poll(testutil.WaitTimeout, func() bool { return m2.Status()[0].FailedSends > 0 })
	if st := m2.Status()[0]; st.FailedSends == 0 || st.Delivered != 0 || !strings.Contains(st.LastError, "certificate") {
		t.Errorf("untrusted server: %+v", st)
	}
}

// inputRecorder is a pipeline.Input that keeps the records it gets.
type inputRecorder struct {
	mu   sync.Mutex
	recs []string
}

func (r *inputRecorder) Submit(_ context.Context, b *pipeline.Batch) error {
	r.mu.Lock()
	for _, rec := range b.Records {
		r.recs = append(r.recs, string(rec.Data))
	}
	r.mu.Unlock()
	b.Ack(nil)
	return nil
}

func (r *inputRecorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.recs...)
}

type pki struct{ ca, cert, key string }

// newPKI writes a CA and a server certificate for 127.0.0.1 signed by it.
func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	p := pki{ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "cert.pem"), key: filepath.Join(dir, "key.pem")}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(p.ca, "CERTIFICATE", caDER)
	write(p.cert, "CERTIFICATE", der)
	write(p.key, "EC PRIVATE KEY", keyDER)
	return p
}

func TestKill9(t *testing.T) {
	r := newRsyslog(t, ProtoTCP)
	forwardtest.RunKill(t, forwardtest.Spec{
		Config:    syslogConfig(r.addr(), ""),
		N:         2000,
		ChildTest: "TestKill9Child",
		Down:      func(t *testing.T) { r.stop() },
		Up:        r.start,
		Received: func(t *testing.T) []forwardtest.Received {
			whole, _ := splitCut(r.lines(t))
			return received(t, whole)
		},
	})
	// Two senders were killed with the receiver up (the second child, and
	// the third after delivery): each may have left one frame cut short,
	// which must be the start of a message that arrived whole.
	whole, cut := splitCut(r.lines(t))
	if len(cut) > 2 {
		t.Fatalf("%d messages cut short, want at most one per kill: %q", len(cut), cut)
	}
	for _, c := range cut {
		if !slices.ContainsFunc(whole, func(w string) bool { return strings.HasPrefix(w, c) }) {
			t.Fatalf("message %q was cut short and never arrived whole", c)
		}
		t.Logf("a kill cut a frame short; rsyslog kept its first %d bytes", len(c))
	}
}

// splitCut separates the messages whose JSON body is whole from those cut
// short. Syslog over TCP cannot take back a frame: when the sender dies
// with part of one in its socket, the kernel still sends that part, and
// rsyslog logs what it got ("incomplete frame at end of stream"). The
// frame is sent again whole after the restart (docs/outputs.md).
func splitCut(lines []string) (whole, cut []string) {
	for _, l := range lines {
		i := strings.IndexByte(l, '{')
		if i < 0 || !json.Valid([]byte(l[i:])) {
			cut = append(cut, l)
			continue
		}
		whole = append(whole, l)
	}
	return whole, cut
}

func TestKill9Child(t *testing.T) { forwardtest.KillChild(t) }
