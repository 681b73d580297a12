package apptest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// clientFrom is an HTTP client whose connections come from the loopback
// address local (127.0.0.2, …), a client other than the attacker's
// 127.0.0.1.
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}}}
}

// TestIdleSyslogConnectionsDoNotLockOutSenders is issue 9 item 6: idle TCP
// connections from one address (1,024 of them locked real senders out for
// an hour) are capped per peer, so a real sender still gets through.
func TestIdleSyslogConnectionsDoNotLockOutSenders(t *testing.T) {
	v := startVigil(t, "sources:\n  - {name: syslog-tcp, type: syslog, protocol: tcp, max_connections: 8, max_connections_per_peer: 4}\n")
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 40 {
		c, err := net.Dial("tcp", v.syslog)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	c, err := d.Dial("tcp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "<13>%s web01 app: real-sender-gets-through\n", bsdStamp(time.Now()))
	c.Close()
	v.waitFound("real-sender-gets-through", 1, 15*time.Second)
}

// TestSlowBodyConnectionsAreCut is issue 9 item 6: slow-body HTTP
// connections (1,300 used up the file descriptors) are capped per peer and
// cut by the read timeout, while another client is served throughout.
func TestSlowBodyConnectionsAreCut(t *testing.T) {
	v := startVigil(t, "http:\n  limits: {read_timeout: 2s, max_connections: 16, max_connections_per_peer: 8}\n")
	const n = 30
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", v.http)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1000000\r\n\r\n{\"a\":")
		conns[i] = c
	}
	// Another client is served while the attack holds its connections.
	other := clientFrom("127.0.0.2")
	resp, err := other.Get(v.url("/api/v1/health"))
	if err != nil {
		t.Fatalf("health from another client during the attack: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health from another client: %d", resp.StatusCode)
	}
	// Every slow connection ends: over the cap at once, the others at the
	// read timeout. The client's own deadline only keeps a broken server
	// from hanging the test.
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, c := range conns {
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
			_, err := io.Copy(io.Discard, c)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("slow connection %d was never cut: %v", i, err)
		}
	}
	var refused float64
	waitFor(t, 10*time.Second, "metrics after the attack", func() bool {
		resp, err := http.Get(v.url("/metrics"))
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, `vigil_http_connections_refused_total{reason="peer"} `); ok {
				fmt.Sscan(rest, &refused)
			}
		}
		return true
	})
	if refused < n-8 {
		t.Errorf("connections refused over the per-peer cap: %v, want at least %d", refused, n-8)
	}
}

// TestGzipBombIsRefusedWithinBudget is issue 9 item 6: gzip bombs sent at
// once (12 took RSS to 1.67 GB) are answered 413, or 503 while the budget
// is spent, and the bytes held never pass http.ingest.max_in_flight_bytes,
// as the metric of the most bytes in flight shows.
func TestGzipBombIsRefusedWithinBudget(t *testing.T) {
	const budget = 4 << 20
	v := startVigil(t, fmt.Sprintf("http:\n  ingest: {max_body_bytes: 1MiB, max_in_flight_bytes: %d}\n", budget))
	var zbuf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zbuf, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zeros)
	}
	zw.Close()
	bomb := zbuf.Bytes()
	var wg sync.WaitGroup
	codes := make([]int, 12)
	for i := range codes {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, v.url("/api/v1/ingest"), bytes.NewReader(bomb))
			req.Header.Set("Content-Encoding", "gzip")
			req.Header.Set("Content-Type", "application/x-ndjson")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return // a refused body may end the connection early
			}
			codes[i] = resp.StatusCode
			resp.Body.Close()
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 && c != http.StatusRequestEntityTooLarge && c != http.StatusServiceUnavailable {
			t.Errorf("gzip bomb %d: %d, want 413 or 503", i, c)
		}
	}
	peak := metric(t, v, "", "vigil_http_ingest_bytes_in_flight_max")
	if peak <= 0 || peak > budget {
		t.Errorf("most ingest bytes in flight %v, want within the budget of %d", peak, budget)
	}
	if got := metric(t, v, "", "vigil_http_ingest_bytes_in_flight"); got != 0 {
		t.Errorf("ingest bytes in flight after the requests: %v, want 0", got)
	}
	t.Logf("12 gzip bombs of %d bytes (64 MiB inflated): statuses %v, most bytes in flight %.0f (budget %d)", len(bomb), codes, peak, budget)
	if code, body := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(`{"message":"after the bombs"}`+"\n")); code != 200 {
		t.Errorf("ordinary ingest after the bombs: %d %s", code, body)
	}
}
