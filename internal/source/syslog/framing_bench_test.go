package syslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// benchStream is n realistic RFC 5424 messages of ~200 bytes, framed.
func benchStream(n int, octet bool) (data []byte, msgs int) {
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("<86>1 2026-11-23T10:00:%02d.123456+00:00 web-%02d sshd %d - - Accepted publickey for user%d from 10.0.%d.%d port %d ssh2: ED25519 SHA256:abcdefghijklmnop",
			i%60, i%32, 1000+i%5000, i%500, i%256, (i*7)%256, 1024+i%60000)
		if octet {
			data = strconv.AppendInt(data, int64(len(m)), 10)
			data = append(data, ' ')
			data = append(data, m...)
		} else {
			data = append(data, m...)
			data = append(data, '\n')
		}
	}
	return data, n
}

var sinkLen int

func benchmarkFramer(b *testing.B, octet bool) {
	data, n := benchStream(10000, octet)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	r := bytes.NewReader(data)
	for b.Loop() {
		r.Reset(data)
		fr := NewFramer(r, DefaultMaxMessageBytes)
		for {
			m, err := fr.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					b.Fatal(err)
				}
				break
			}
			sinkLen += len(m)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkFramerLF(b *testing.B)    { benchmarkFramer(b, false) }
func BenchmarkFramerOctet(b *testing.B) { benchmarkFramer(b, true) }

// countInput acks and counts records.
type countInput struct{ n atomic.Int64 }

func (c *countInput) Submit(_ context.Context, bt *pipeline.Batch) error {
	c.n.Add(int64(len(bt.Records)))
	bt.Ack(nil)
	return nil
}

// BenchmarkTCPListener measures the whole TCP path on loopback: socket,
// framing, batching, submit.
func BenchmarkTCPListener(b *testing.B) {
	data, n := benchStream(10000, true)
	in := &countInput{}
	s, err := New(Config{SourceCommon: config.SourceCommon{Name: "bench", Type: "syslog"}, Protocol: ProtoTCP, Listen: "127.0.0.1:0"},
		config.SourceEnv{Metrics: pipeline.NewMetrics(nil), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx, in); close(done) }()
	defer func() { cancel(); <-done }()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := c.Write(data); err != nil {
			b.Fatal(err)
		}
	}
	want := int64(n) * int64(b.N)
	testutil.Poll(testutil.WaitTimeout, func() bool { return in.n.Load() >= want })
	if got := in.n.Load(); got != want {
		b.Fatalf("received %d records, want %d", got, want)
	}
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "records/s")
}
