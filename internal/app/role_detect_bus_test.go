package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestBusDetectRoutesOutsideBatches: on a detect node with a bus, the
// correlation hits of events written outside a batch of the events topic
// (the alerts entity analytics raises on its own, fed back to the rules)
// have no transaction to join; they are routed with the bus's producer
// instead of failing, and reach the hit topic.
func TestBusDetectRoutesOutsideBatches(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	cfg, err := config.Parse([]byte("data_dir: " + t.TempDir() + "\nhttp: {listen: '127.0.0.1:0'}\nsources: []\n" +
		"bus: {kafka: {brokers: ['" + broker.ListenAddrs()[0] + "'], topic_prefix: rt, partitions: 2}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Roles: Roles{RoleDetect}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	d := a.detectRole
	set := d.engine.Correlations()
	var corr *correlate.Corr
	for _, c := range set.Correlations() {
		if c.Ref() == "vigil_port_scan" || c.Rule.ID == "395caec6-8223-41b0-a376-2f1fe55c86f3" {
			corr = c
		}
	}
	if corr == nil {
		t.Fatal("the built-in port scan correlation is not loaded")
	}
	hit := correlate.Hit{Rule: "1daa93ed-33b5-4eff-a083-541c2cdbff28", Tenant: "default", Time: time.Now().UnixNano(), ID: "outside-1",
		Fields: []correlate.Field{{Name: "source.ip", Value: "198.51.100.7"}, {Name: "destination.port", Value: "22"}}}
	if err := d.bus.route(context.Background(), set, []correlate.Hit{hit}); err != nil {
		t.Fatalf("route outside a batch: %v", err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker.ListenAddrs()...), kgo.ConsumeTopics("rt.hits"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	n := 0
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		n += cl.PollFetches(ctx).NumRecords()
		return n > 0
	}) {
		t.Fatal("no hit record on rt.hits")
	}
}
