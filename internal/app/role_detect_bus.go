package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/bus/keyshard"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/correlate/shard"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// The detect role on a node with a bus (docs/correlation.md, "Sharded by
// key"):
//
//	<P>.events ──shard.Consumer (group <P>.detect, one Kafka transaction per batch)──►
//	    rules, watch-lists, enrichment alerts, analytics ──► alerts ──► <P>.alerts
//	    correlation hits ──shard.Router──► <P>.hits   (in the same transaction,
//	    watch-list ops of the rules ──► <P>.watchlists  with the batch's offsets)
//	<P>.hits ──shard.Owner (group <P>.correlate, state in <P>.state)──►
//	    firings ──► alerts ──► <P>.alerts
//
// The batch's alerts, its routed hits, its watch-list ops and its offsets
// commit together, so a
// node killed in the middle of a batch leaves nothing the next reader of
// the batch produces twice.

// Limits of the detect role on a bus. The session timeout of its groups
// is bus.kafka.session_timeout (how long a killed detect node keeps its
// events and hit partitions).
const (
	// detectTopicsTimeout bounds the creation of the hit and state topics
	// at start; brokers that are not up only delay it (a warning).
	detectTopicsTimeout = 10 * time.Second
	// firingRetryWait is the first wait before the alerts of firings are
	// published again (doubling to a minute): the owner's state says they
	// fired, so they are retried until the brokers take them.
	firingRetryWait = 500 * time.Millisecond
)

// busDetect is the detect role's part on a bus.
type busDetect struct {
	bus      *bus.Bus
	consumer *shard.Consumer
	owner    *shard.Owner

	started bool // start ran: the goroutines close the clients

	mu sync.Mutex // serialises routes and rule switches
	// router produces in the batch's transaction; plain, with the bus's
	// producer, the hits of events written outside a batch (the alerts
	// entity analytics raises on its own, as events for the rules).
	router, plain *shard.Router
	set           *correlate.Set

	// analytics is entity analytics sharded by entity (analytics_bus.go);
	// nil when they are disabled.
	analytics *busAnalytics
}

// txAlerts writes the alerts raised while a batch of events is processed
// into the batch's transaction, and the others (correlation firings, quiet
// windows closing, analytics) to next.
type txAlerts struct {
	bus  *bus.Bus
	next alert.Sink
}

func (s txAlerts) WriteAlerts(ctx context.Context, as []alert.Alert) error {
	cl := shard.Transaction(ctx)
	if cl == nil {
		return s.next.WriteAlerts(ctx, as)
	}
	recs, err := s.bus.AlertRecords(as)
	if err != nil {
		return err
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("publish alerts: %w", err)
	}
	return nil
}

// groupOpts are the client options of the role's consumer groups.
func groupOpts(b *bus.Bus) []kgo.Opt {
	return append(b.ClientOptions(), kgo.SessionTimeout(b.Kafka().SessionTimeout.D()))
}

// detectNodeID is this node's stable name among the detect nodes (its
// transactional id): made once and kept in the data directory, so that a
// restarted node fences what its killed process left open.
func detectNodeID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "state", "detect-node-id")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read detect node id: %w", err)
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make detect node id: %w", err)
	}
	id := hex.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("write detect node id: %w", err)
	}
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write detect node id: %w", err)
	}
	return id, nil
}

// newBusDetect builds the consumer of the events and the owner of the hit
// partitions; process handles one batch of events (the role's sinks).
func newBusDetect(a *App, b *bus.Bus, process func(ctx context.Context, recs []*kgo.Record) error) (*busDetect, error) {
	node, err := detectNodeID(a.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	kc := b.Kafka()
	prefix := kc.TopicPrefix
	cons, err := shard.NewConsumer(shard.ConsumerConfig{Opts: groupOpts(b), Topic: b.EventsTopic(), Group: b.Group(string(RoleDetect)),
		TransactionalID: prefix + ".detect." + node, MaxPollRecords: kc.MaxPollRecords, Process: process, Logger: a.log})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), detectTopicsTimeout)
	defer cancel()
	if err := keyshard.CreateTopics(ctx, cons.Client(), b.Topic("hits"), b.Topic("state"), kc.Partitions, kc.ReplicationFactor); err != nil {
		a.log.Warn("create the correlation topics; they must exist or be created by the brokers", "err", err)
	}
	return &busDetect{bus: b, consumer: cons}, nil
}

// start makes the router and the owner over the rules the engine loaded;
// emit writes the alerts of the owner's firings.
func (d *busDetect) start(a *App, set *correlate.Set, engine correlate.Options, emit func(context.Context, []correlate.Firing) error) error {
	r, err := shard.NewRouter(d.consumer.Client(), d.bus.Topic("hits"), set)
	if err != nil {
		return err
	}
	plain, err := shard.NewRouter(d.bus.Producer(), d.bus.Topic("hits"), set)
	if err != nil {
		return err
	}
	emitCtx := a.runCtx
	o, err := shard.NewOwner(shard.Config{Opts: groupOpts(d.bus),
		HitTopic: d.bus.Topic("hits"), StateTopic: d.bus.Topic("state"), Group: d.bus.Group("correlate"),
		Set: set, Engine: engine, Logger: a.log,
		Emit: func(_ int32, fs []correlate.Firing) {
			_ = retryPublish(emitCtx, a, "correlation alerts", len(fs), func(ctx context.Context) error { return emit(ctx, fs) })
		}})
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.router, d.plain, d.owner, d.set = r, plain, o, set
	d.mu.Unlock()
	d.started = true
	if d.analytics != nil {
		if err := d.startAnalytics(a); err != nil {
			return fmt.Errorf("entity analytics: %w", err)
		}
	}
	a.run(func(ctx context.Context) {
		if err := o.Run(ctx); err != nil {
			a.errs <- fmt.Errorf("correlation shard: %w", err)
		}
	})
	a.run(func(ctx context.Context) {
		if err := d.consumer.Run(ctx); err != nil {
			a.errs <- fmt.Errorf("detect consumer: %w", err)
		}
	})
	return nil
}

// retryPublish runs publish until it succeeds or ctx ends, waiting
// firingRetryWait, doubling to a minute, between tries: what it publishes
// (the alerts of state an owner has already counted) is not produced
// again otherwise. n is the number of items, for the log.
func retryPublish(ctx context.Context, a *App, what string, n int, publish func(context.Context) error) error {
	wait := firingRetryWait
	for {
		err := publish(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		a.log.Warn("publish "+what+"; retrying", "items", n, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// owned are the hit partitions this node counts, each with the first
// offset not yet counted (empty before start).
func (d *busDetect) owned() map[int32]int64 {
	d.mu.Lock()
	o := d.owner
	d.mu.Unlock()
	if o == nil {
		return map[int32]int64{}
	}
	return o.Owned()
}

// close closes the consumer of a node that stopped before start.
func (d *busDetect) close() {
	if !d.started {
		d.consumer.Close()
	}
}

// route produces hits to their key's partition (detect.Config.Route):
// inside the batch's transaction when there is one, else at least once.
func (d *busDetect) route(ctx context.Context, set *correlate.Set, hits []correlate.Hit) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.router == nil {
		return errors.New("correlation router not started")
	}
	if set != d.set {
		if err := d.switchRules(set); err != nil {
			return err
		}
	}
	r := d.router
	if shard.Transaction(ctx) == nil {
		r = d.plain
	}
	_, err := r.Route(ctx, hits)
	return err
}

// rulesChanged switches the router and the owner to the engine's new
// correlations (after a reload).
func (d *busDetect) rulesChanged(set *correlate.Set) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.router != nil && set != nil && set != d.set {
		_ = d.switchRules(set)
	}
}

func (d *busDetect) switchRules(set *correlate.Set) error {
	if err := d.router.SetRules(set); err != nil {
		return err
	}
	if err := d.plain.SetRules(set); err != nil {
		return err
	}
	if err := d.owner.SetRules(set); err != nil {
		return err
	}
	d.set = set
	return nil
}

// processBatch is the Consumer's Process: decode the events (dead-letter
// what does not decode) and write them to the role's sinks in order, then
// produce the watch-list ops their rules wrote into the transaction; the
// first that fails aborts the batch's transaction.
func processBatch(a *App, sinks func() []pipeline.Sink) func(ctx context.Context, recs []*kgo.Record) error {
	return func(ctx context.Context, recs []*kgo.Record) error {
		events, dead := bus.DecodeEvents(recs)
		if len(dead) > 0 {
			if err := a.dead.WriteDeadLetters(ctx, dead); err != nil {
				return fmt.Errorf("write bus dead letters: %w", err)
			}
		}
		if len(events) == 0 {
			return nil
		}
		// the watch-list ops of the batch's rules commit with it
		var wl *watchlist.Batch
		if shard.Transaction(ctx) != nil {
			wl = &watchlist.Batch{}
			ctx = watchlist.WithBatch(ctx, wl)
		}
		for _, s := range sinks() {
			st := a.metrics.Component("sink", s.Name())
			st.Received.Add(float64(len(events)))
			if err := s.Write(ctx, events); err != nil {
				st.Errors.Inc()
				return fmt.Errorf("sink %s: %w", s.Name(), err)
			}
		}
		if wl != nil {
			return produceWatchlistBatch(ctx, a.bus, wl)
		}
		return nil
	}
}
