package syslog

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// recorder is a pipeline.Input that keeps what it is given and acks it.
// While gate is non-nil and open, Submit blocks on it (a full pipeline).
type recorder struct {
	mu      sync.Mutex
	batches []*pipeline.Batch
	recs    []pipeline.Record
	gate    chan struct{}
	blocked chan struct{} // gets a value each time Submit starts waiting on gate
}

func (r *recorder) Submit(ctx context.Context, b *pipeline.Batch) error {
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		if r.blocked != nil {
			select {
			case r.blocked <- struct{}{}:
			default:
			}
		}
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	r.batches = append(r.batches, b)
	r.recs = append(r.recs, b.Records...)
	r.mu.Unlock()
	b.Ack(nil)
	return nil
}

func (r *recorder) records() []pipeline.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pipeline.Record(nil), r.recs...)
}

// wait returns the records once there are at least n. d was the time
// allowed; the wait is testutil.WaitTimeout, at least d, so a slow machine
// does not fail it.
func (r *recorder) wait(t *testing.T, n int, d time.Duration) []pipeline.Record {
	t.Helper()
	d = max(d, testutil.WaitTimeout)
	if !testutil.Poll(d, func() bool { return len(r.records()) >= n }) {
		recs := r.records()
		t.Fatalf("got %d records after %s, want %d: %q", len(recs), d, n, recordData(recs))
	}
	return r.records()
}

func recordData(recs []pipeline.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

// startSource builds and runs a syslog source on 127.0.0.1:0; it stops
// when the test ends.
func startSource(t *testing.T, cfg Config, in pipeline.Input) (*Source, *pipeline.Metrics) {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "test-" + cfg.Protocol
	}
	cfg.Type = "syslog"
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	m := pipeline.NewMetrics(nil)
	s, err := New(cfg, config.SourceEnv{Metrics: m, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, in) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("source did not stop")
		}
	})
	return s, m
}

// requireTool returns the path of a program, skipping the test when it is
// missing unless VIGIL_REQUIRE_TOOLS=1 (CI), which makes it fail.
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

// testPKI is a CA with a server certificate for 127.0.0.1 and a client
// certificate, written as PEM files.
type testPKI struct {
	dir                       string
	caFile, certFile, keyFile string
	clientCert, clientKey     string
	pool                      *x509.CertPool
	client                    tls.Certificate
	otherClient               tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	p := &testPKI{dir: dir}
	ca, caKey := makeCA(t, "vigil test ca")
	serverDER, serverKey := makeLeaf(t, ca, caKey, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	clientDER, clientKey := makeLeaf(t, ca, caKey, "client", x509.ExtKeyUsageClientAuth)
	other, otherKey := makeCA(t, "other ca")
	otherDER, otherLeafKey := makeLeaf(t, other, otherKey, "intruder", x509.ExtKeyUsageClientAuth)
	p.caFile = writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Raw)
	p.certFile = writePEM(t, dir, "server.pem", "CERTIFICATE", serverDER)
	p.keyFile = writeKey(t, dir, "server.key", serverKey)
	p.clientCert = writePEM(t, dir, "client.pem", "CERTIFICATE", clientDER)
	p.clientKey = writeKey(t, dir, "client.key", clientKey)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(ca)
	p.client = tls.Certificate{Certificate: [][]byte{clientDER}, PrivateKey: clientKey}
	p.otherClient = tls.Certificate{Certificate: [][]byte{otherDER}, PrivateKey: otherLeafKey}
	return p
}

func makeCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func makeLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	if ip := net.ParseIP(cn); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{cn}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeKey(t *testing.T, dir, name string, key *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "EC PRIVATE KEY", der)
}
