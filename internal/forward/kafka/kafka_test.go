package kafka

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
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

// broker is a kfake cluster that can be stopped and started on one port.
type broker struct {
	mu   sync.Mutex
	addr string
	port int
	c    *kfake.Cluster
	opts []kfake.Opt
}

func newBroker(t *testing.T, opts ...kfake.Opt) *broker {
	t.Helper()
	addr := testutil.FreeAddr(t)
	_, p, _ := strings.Cut(addr, ":")
	port, _ := strconv.Atoi(p)
	b := &broker{addr: addr, port: port, opts: opts}
	t.Cleanup(b.stop)
	return b
}

func (b *broker) start(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		return
	}
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.Ports(b.port), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3)}, b.opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	b.c = c
}

func (b *broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		b.c.Close()
		b.c = nil
	}
}

// kcatRecord is one record as `kcat -J` prints it.
type kcatRecord struct {
	Topic     string   `json:"topic"`
	Partition int      `json:"partition"`
	Key       *string  `json:"key"`
	Payload   *string  `json:"payload"`
	Headers   []string `json:"headers"`
}

// kcat reads every record of the topics with Debian's kcat.
func kcat(t *testing.T, addr string, topics ...string) []kcatRecord {
	t.Helper()
	bin := requireTool(t, "kcat")
	var out []kcatRecord
	for _, topic := range topics {
		cmd := exec.Command(bin, "-C", "-b", addr, "-t", topic, "-o", "beginning", "-e", "-J", "-q")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			if strings.Contains(stderr.String(), "Unknown topic") {
				continue
			}
			t.Fatalf("kcat: %v\n%s", err, stderr.String())
		}
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			if line == "" {
				continue
			}
			var r kcatRecord
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("kcat line %q: %v", line, err)
			}
			out = append(out, r)
		}
	}
	return out
}

func received(t *testing.T, recs []kcatRecord) []forwardtest.Received {
	t.Helper()
	var got []forwardtest.Received
	for _, r := range recs {
		if r.Payload == nil {
			t.Fatalf("record without a value: %+v", r)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(*r.Payload), &m); err != nil {
			t.Fatalf("value %q: %v", *r.Payload, err)
		}
		id, _ := m["event.id"].(string)
		seq, _ := m["kill.seq"].(float64)
		if header(r.Headers, "event.id") != id || id == "" {
			t.Fatalf("record headers %v do not carry the value's event.id %q", r.Headers, id)
		}
		got = append(got, forwardtest.Received{ID: id, Seq: int(seq)})
	}
	return got
}

func header(h []string, key string) string {
	for i := 0; i+1 < len(h); i += 2 {
		if h[i] == key {
			return h[i+1]
		}
	}
	return ""
}

func kafkaConfig(addr, extra string) string {
	return fmt.Sprintf(`
outputs:
  - name: kafka
    type: kafka
    brokers: [%q]
    topic: "vigil-{{tenant}}"
    key: "{{host.name}}"
    timeout: 2s
    retry: {initial: 20ms, max: 200ms}
    batch: {max_events: 200, linger: 5ms}
%s
routes:
  - outputs: [kafka]
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

func waitKcat(t *testing.T, addr string, n int, topics ...string) []kcatRecord {
	t.Helper()
	var recs []kcatRecord
	if !testutil.Poll(testutil.WaitTimeout, func() bool { recs = kcat(t, addr, topics...); return len(recs) >= n }) {
		t.Fatalf("kcat read %d records, want %d", len(recs), n)
	}
	return recs
}

// Events reach per-tenant topics with their keys and event.id headers, and
// kcat reads them back.
func TestProduceReadBackWithKcat(t *testing.T) {
	b := newBroker(t)
	b.start(t)
	m := start(t, kafkaConfig(b.addr, ""))
	if err := m.Sink().Write(context.Background(), events(0, 100)); err != nil {
		t.Fatal(err)
	}
	recs := waitKcat(t, b.addr, 100, "vigil-acme", "vigil-globex")
	got := received(t, recs)
	seen := map[int]bool{}
	for i, r := range got {
		e := forwardtest.Event(r.Seq)
		if r.ID != e.ID || seen[r.Seq] {
			t.Fatalf("record %d: %+v", i, r)
		}
		seen[r.Seq] = true
		rec := recs[i]
		if rec.Topic != "vigil-"+e.Tenant || rec.Key == nil || *rec.Key != e.GetString("host.name") || header(rec.Headers, "vigil.tenant") != e.Tenant {
			t.Errorf("record %+v for event %d of %s", rec, r.Seq, e.Tenant)
		}
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct events", len(seen))
	}
}

// The binary encoding round-trips the typed event, as Vigil's Kafka
// source reads it.
func TestBinaryEncoding(t *testing.T) {
	b := newBroker(t)
	b.start(t)
	m := start(t, kafkaConfig(b.addr, "    encoding: binary\n    compression: zstd"))
	want := events(0, 10)
	if err := m.Sink().Write(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.addr), kgo.ConsumeTopics("vigil-acme"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := 0
	for got < 5 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %d records: %v", got, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			var e event.Event
			if err := e.UnmarshalBinary(r.Value); err != nil {
				t.Fatal(err)
			}
			w := forwardtest.Event(int(e.GetString("kill.seq")[0] - '0'))
			if string(e.AppendJSON(nil)) != string(w.AppendJSON(nil)) {
				t.Errorf("got %s\nwant %s", e.AppendJSON(nil), w.AppendJSON(nil))
			}
			got++
		})
	}
}

// SASL/SCRAM and PLAIN authenticate against a broker that requires them.
func TestSASL(t *testing.T) {
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			b := newBroker(t, kfake.EnableSASL(), kfake.Superuser(mech, "vigil", "s3cret"))
			b.start(t)
			pw := t.TempDir() + "/pw"
			os.WriteFile(pw, []byte("s3cret\n"), 0o600)
			m := start(t, kafkaConfig(b.addr, fmt.Sprintf("    sasl: {mechanism: %s, username: vigil, password_file: %s}", mech, pw)))
			if err := m.Sink().Write(context.Background(), events(0, 4)); err != nil {
				t.Fatal(err)
			}
			if !testutil.Poll(testutil.WaitTimeout, func() bool { return m.Status()[0].Delivered >= 4 }) {
				t.Fatalf("status %+v", m.Status()[0])
			}
		})
	}
	// Wrong password: retried, never delivered.
	b := newBroker(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "vigil", "s3cret"))
	b.start(t)
	m := start(t, kafkaConfig(b.addr, "    sasl: {mechanism: PLAIN, username: vigil, password: wrong}"))
	if err := m.Sink().Write(context.Background(), events(0, 2)); err != nil {
		t.Fatal(err)
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return m.Status()[0].FailedSends > 0 }) {
		t.Fatalf("status %+v", m.Status()[0])
	}
	if st := m.Status()[0]; st.Delivered != 0 || st.Queue.Records != 2 {
		t.Errorf("with a wrong password: %+v", st)
	}
}

// A record over the size limit is refused on its own and dropped; the
// others of its batch are delivered.
func TestTooLargeRecordIsDropped(t *testing.T) {
	b := newBroker(t)
	b.start(t)
	m := start(t, kafkaConfig(b.addr, "    max_message_bytes: 4KiB"))
	evs := events(0, 20)
	evs[7].Set("pad", event.String(strings.Repeat("x", 8000)))
	if err := m.Sink().Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		st := m.Status()[0]
		return st.Delivered == 19 && st.DroppedRejected == 1 && st.Queue.Records == 0
	}) {
		t.Fatalf("status %+v", m.Status()[0])
	}
	for _, r := range received(t, waitKcat(t, b.addr, 19, "vigil-acme", "vigil-globex")) {
		if r.Seq == 7 {
			t.Error("the oversized event was delivered")
		}
	}
}

func TestConfigValidation(t *testing.T) {
	f := func(extra, wantErr string) {
		t.Helper()
		_, err := config.Parse([]byte("outputs: [{name: k, type: kafka" + extra + "}]"))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", extra, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%s: error %v, want %q", extra, err, wantErr)
		}
	}
	f(", brokers: [k:9092]", "")
	f("", "brokers")
	f(", brokers: [nohost]", "broker")
	f(", brokers: [k:9092], topic: 'x{{'", "topic")
	f(", brokers: [k:9092], encoding: avro", "encoding")
	f(", brokers: [k:9092], compression: brotli", "compression")
	f(", brokers: [k:9092], sasl: {mechanism: GSSAPI, username: u, password: p}", "mechanism")
	f(", brokers: [k:9092], sasl: {mechanism: PLAIN, username: u}", "password")
	f(", brokers: [k:9092], sasl: {username: u, password: p}", "mechanism is required")
	f(", brokers: [k:9092], tls: {cert_file: c}", "together")
}

func TestSanitizeTopic(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := sanitizeTopic([]byte(in)); got != want {
			t.Errorf("sanitizeTopic(%q) = %q, want %q", in, got, want)
		}
	}
	f("vigil-acme", "vigil-acme")
	f("vigil acme/x", "vigil_acme_x")
	f("", "")
	f(".", "")
	f("..", "")
	f(strings.Repeat("a", 300), strings.Repeat("a", 249))
}

func TestKill9(t *testing.T) {
	requireTool(t, "kcat")
	b := newBroker(t)
	forwardtest.RunKill(t, forwardtest.Spec{
		Config:    kafkaConfig(b.addr, ""),
		N:         2000,
		ChildTest: "TestKill9Child",
		Down:      func(t *testing.T) { b.stop() },
		Up:        b.start,
		Received: func(t *testing.T) []forwardtest.Received {
			b.mu.Lock()
			up := b.c != nil
			b.mu.Unlock()
			if !up {
				return nil
			}
			return received(t, kcat(t, b.addr, "vigil-acme", "vigil-globex"))
		},
	})
}

func TestKill9Child(t *testing.T) { forwardtest.KillChild(t) }
