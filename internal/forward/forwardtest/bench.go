package forwardtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
)

// BenchEvent is a typical normalised event (an sshd failure with its ECS
// fields, ~700 bytes as JSON) for delivery benchmarks.
func BenchEvent(i int) *event.Event {
	msg := fmt.Sprintf("Failed password for invalid user admin%d from 203.0.113.%d port %d ssh2", i%1000, i%250, 40000+i%20000)
	orig := "<38>Nov 23 10:30:00 web01 sshd[4242]: " + msg
	e := &event.Event{Timestamp: time.Unix(1_790_000_000+int64(i), 0).UTC(), Ingested: time.Unix(1_790_000_000+int64(i), 5e8).UTC(),
		Tenant: Tenants[i%len(Tenants)], Source: "syslog-tcp", Original: orig,
		ID: event.NewID(Tenants[i%len(Tenants)], "syslog-tcp", "", 0, []byte(fmt.Sprint(orig, i)))}
	e.Append("message", event.String(msg))
	e.Append("host.name", event.String("web01"))
	e.Append("process.name", event.String("sshd"))
	e.Append("process.pid", event.Int(4242))
	e.Append("log.syslog.facility.code", event.Int(4))
	e.Append("log.syslog.severity.code", event.Int(6))
	e.Append("event.category", event.List([]string{"authentication"}))
	e.Append("event.outcome", event.String("failure"))
	e.Append("user.name", event.String(fmt.Sprintf("admin%d", i%1000)))
	e.Append("source.ip", event.IP(netip.AddrFrom4([4]byte{203, 0, 113, byte(i % 250)})))
	e.Append("source.port", event.Int(int64(40000+i%20000)))
	return e
}

// BenchDelivery measures events through the router, the durable queue
// (fsync per batch) and the output described by yaml (one output named
// "out" with a route to it), until the output reports every event
// delivered. It reports events/s, events per CPU-second of the whole
// process (the receiver too when it runs in-process) and the bytes each
// event takes in the queue (record framing included).
func BenchDelivery(b *testing.B, yaml string, delivered func() int) {
	c, err := config.Parse([]byte(yaml))
	if err != nil {
		b.Fatal(err)
	}
	m, err := forward.New(c.Outputs, c.Routes, forward.Env{DataDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Stop()
	const batch = 1000
	n := max(b.N, batch)
	evs := make([]*event.Event, n)
	size := 0
	for i := range evs {
		evs[i] = BenchEvent(i)
		size += len(evs[i].AppendJSON(nil))
	}
	m.Start()
	b.SetBytes(int64(size / n))
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < n; i += batch {
		if err := m.Sink().Write(context.Background(), evs[i:min(i+batch, n)]); err != nil {
			b.Fatal(err)
		}
	}
	for {
		st := m.Status()[0]
		if int(st.Delivered) >= n && (delivered == nil || delivered() >= n) {
			break
		}
		if st.Dropped > 0 {
			b.Fatalf("dropped %d events", st.Dropped)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	st := m.Status()[0]
	var appended uint64
	for _, t := range st.Tenants {
		appended += t.AppendedBytes
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(appended)/float64(n), "queue-B/event")
	b.ReportMetric(0, "ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
