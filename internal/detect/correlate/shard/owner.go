package shard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
)

// Config configures an Owner.
type Config struct {
	// Brokers are the seed brokers; Opts add to the client (TLS, SASL).
	Brokers []string
	Opts    []kgo.Opt
	// HitTopic carries the routed hits; StateTopic (compacted, with as
	// many partitions as HitTopic) the state of each hit partition.
	HitTopic, StateTopic string
	// Group is the consumer group of the detect nodes.
	Group string
	// TransactionalID prefixes the transactional id of each partition's
	// producer, "<TransactionalID>.<partition>": the same on every
	// member, so that the member taking a partition over fences the
	// producer of the partition's previous owner (a zombie, paused past
	// its session timeout) before it reads the partition's state.
	TransactionalID string
	// TransactionTimeout bounds a state transaction; zero means
	// DefaultTransactionTimeout.
	TransactionTimeout time.Duration
	// Set is the compiled correlations; it must be the same on every node.
	Set *correlate.Set
	// Engine configures the engine of each owned partition: Dir and
	// Registerer must be empty (the state lives in the bus; the metrics
	// of many engines would collide).
	Engine correlate.Options
	// SnapshotEvery and SnapshotInterval bound the hits between two state
	// records of a partition; TickInterval is how often quiet windows are
	// closed. Zero means the defaults.
	SnapshotEvery    int
	SnapshotInterval time.Duration
	TickInterval     time.Duration
	// Emit receives the firings of a partition, from the goroutine of
	// Run, before the offsets of the hits that caused them are committed.
	// The firings of a correlation that others chain on are also routed
	// to the outer correlations' keys on the hit topic, in the
	// transaction of the partition's next state record.
	Emit   func(partition int32, fs []correlate.Firing)
	Logger *slog.Logger
}

// partition is the engine of one owned hit-topic partition.
type partition struct {
	e *correlate.Engine
	// tx is the partition's transactional producer (Config.TransactionalID):
	// state records, and the chained hits with them.
	tx *kgo.Client
	// chain are the chained hits (firings of inner correlations routed to
	// the outer correlations' keys) not yet in the bus: they are produced
	// in the transaction of the next state record, which holds the
	// firings, so a crash before it neither loses them (the replay fires
	// again) nor doubles them.
	chain []*kgo.Record
	// start is the offset the partition was taken over at (a re-take
	// without a state record starts there again).
	start int64
	// next is the first offset not yet in e; since counts the hits
	// processed since the last state record, written at wrote.
	next  int64
	since int
	epoch int32
	wrote time.Time
}

// Owner is one member of the group of detect nodes: it owns some
// partitions of the hit topic and counts their keys.
type Owner struct {
	cfg Config
	log *slog.Logger
	cl  *kgo.Client
	// ready is closed once cl is set: the group may assign partitions
	// (and call assigned) before kgo.NewClient returns.
	ready chan struct{}

	// set is the current rule generation (SetRules); partitions taken
	// over later start with it.
	set atomic.Pointer[correlate.Set]

	mu    sync.Mutex
	parts map[int32]*partition

	hit      correlate.Hit
	one      [1]correlate.Hit
	buf      []byte
	lastTick time.Time
}

// NewOwner joins the group (the join completes in Run's polls).
func NewOwner(cfg Config) (*Owner, error) {
	if cfg.Engine.Dir != "" || cfg.Engine.Registerer != nil {
		return nil, errors.New("correlation shard: the partition engines keep their state in the bus (no Dir) and register no metrics")
	}
	if cfg.HitTopic == "" || cfg.StateTopic == "" || cfg.Group == "" || cfg.TransactionalID == "" || cfg.Emit == nil {
		return nil, errors.New("correlation shard: hit topic, state topic, group, transactional id and Emit are required")
	}
	if cfg.TransactionTimeout <= 0 {
		cfg.TransactionTimeout = DefaultTransactionTimeout
	}
	// the firings of inner correlations go to their outer keys' owners
	cfg.Engine.RouteChains = true
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = DefaultSnapshotEvery
	}
	if cfg.SnapshotInterval <= 0 {
		cfg.SnapshotInterval = DefaultSnapshotInterval
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = DefaultTickInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	o := &Owner{cfg: cfg, log: cfg.Logger.With("component", "correlate-shard"), parts: map[int32]*partition{},
		ready: make(chan struct{})}
	o.set.Store(cfg.Set)
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.HitTopic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.AdjustFetchOffsetsFn(o.assigned),
		kgo.OnPartitionsRevoked(o.revoked),
		kgo.OnPartitionsLost(o.lost),
	}, cfg.Opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("correlation shard client: %w", err)
	}
	o.cl = cl
	close(o.ready)
	return o, nil
}

// assigned restores the state of newly assigned partitions from the state
// topic and starts each at the first offset its state does not include.
func (o *Owner) assigned(ctx context.Context, offs map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	select {
	case <-o.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for p := range offs[o.cfg.HitTopic] {
		pt, restored, err := o.take(ctx, p)
		if err != nil {
			return nil, err
		}
		o.mu.Lock()
		if old := o.parts[p]; old != nil {
			old.tx.Close()
		}
		o.parts[p] = pt
		o.mu.Unlock()
		if restored {
			// the state is the truth: a commit may lag it, never lead it
			offs[o.cfg.HitTopic][p] = kgo.NewOffset().At(pt.next).WithEpoch(-1)
		}
		o.log.Info("correlation partition taken over", "partition", p, "restored", restored, "from_offset", pt.next)
	}
	return offs, nil
}

// take fences the producer of partition p's previous owner, then loads
// the partition's last committed state. Fencing first matters: a zombie
// owner (paused past its session timeout) can write no state, and no
// chained hits, after the state read here.
func (o *Owner) take(ctx context.Context, p int32) (pt *partition, restored bool, err error) {
	tx, err := o.newTx(p)
	if err != nil {
		return nil, false, err
	}
	// InitProducerID: bumps the epoch of the partition's transactional id
	// and aborts the transaction its previous owner left open
	if _, _, err := tx.ProducerID(ctx); err != nil {
		tx.Close()
		return nil, false, fmt.Errorf("fence the previous owner of correlation partition %d: %w", p, err)
	}
	pt, restored, err = o.load(ctx, p)
	if err != nil {
		tx.Close()
		return nil, false, err
	}
	pt.tx, pt.start = tx, -1
	return pt, restored, nil
}

// newTx makes the transactional producer of partition p: state records go
// to state partition p, chained hits to their key's hit partition.
func (o *Owner) newTx(p int32) (*kgo.Client, error) {
	byKey := kgo.StickyKeyPartitioner(nil)
	state := o.cfg.StateTopic
	part := kgo.BasicConsistentPartitioner(func(topic string) func(*kgo.Record, int) int {
		if topic == state {
			return func(r *kgo.Record, _ int) int { return int(r.Partition) }
		}
		tp := byKey.ForTopic(topic)
		return tp.Partition
	})
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(o.cfg.Brokers...),
		kgo.TransactionalID(o.cfg.TransactionalID + "." + strconv.Itoa(int(p))),
		kgo.TransactionTimeout(o.cfg.TransactionTimeout),
		kgo.RecordPartitioner(part),
		kgo.ProducerBatchMaxBytes(MaxStateRecord + 1<<20),
		kgo.RequiredAcks(kgo.AllISRAcks())},
		o.cfg.Opts...)...)
	if err != nil {
		return nil, fmt.Errorf("correlation partition %d producer: %w", p, err)
	}
	return cl, nil
}

// load reads the last committed state record of hit partition p (state
// partition p). Without one (restored false) the partition starts empty at
// its committed offset, or the start.
func (o *Owner) load(ctx context.Context, p int32) (pt *partition, restored bool, err error) {
	e, _, err := correlate.New(o.cfg.Engine, o.set.Load())
	if err != nil {
		return nil, false, err
	}
	pt = &partition{e: e, epoch: -1, wrote: time.Now()}
	end, err := o.endOffset(ctx, p)
	if err != nil {
		return nil, false, err
	}
	// The partition ends with transaction markers, after aborted states
	// of fenced owners too: look back from the end, further each time,
	// until a committed state record is found or the start is reached.
	var last *kgo.Record
	for back := int64(stateLookBack); last == nil && end > 0; back *= stateLookBack {
		from := max(0, end-back)
		if last, err = o.lastState(ctx, p, from, end); err != nil {
			return nil, false, err
		}
		if from == 0 {
			break
		}
	}
	if last == nil {
		return pt, false, nil
	}
	st, err := decodeState(last.Value)
	if err == nil {
		err = e.Restore(st.engine)
	}
	if err != nil {
		// a damaged state costs this partition's windows, not the service
		o.log.Error("correlation partition state unreadable; starting it empty at its committed offset",
			"partition", p, "err", err)
		e, _, _ = correlate.New(o.cfg.Engine, o.set.Load())
		return &partition{e: e, epoch: -1, wrote: time.Now()}, false, nil
	}
	pt.next = st.next
	return pt, true, nil
}

// lastState reads state partition p from offset from up to end (its last
// stable offset) and returns the last committed state record, or nil.
func (o *Owner) lastState(ctx context.Context, p int32, from, end int64) (*kgo.Record, error) {
	rd, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(o.cfg.Brokers...),
		kgo.FetchMaxPartitionBytes(MaxStateRecord + 1<<20),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// the markers tell when end is reached; aborted states are dropped
		kgo.KeepControlRecords(),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.cfg.StateTopic: {p: kgo.NewOffset().At(from)}})},
		o.cfg.Opts...)...)
	if err != nil {
		return nil, fmt.Errorf("state topic client: %w", err)
	}
	defer rd.Close()
	var last *kgo.Record
	for {
		fs := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read state of partition %d: %w", p, err)
		}
		for _, fe := range fs.Errors() {
			return nil, fmt.Errorf("read state of partition %d: %w", p, fe.Err)
		}
		done := false
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				last = r
			}
			done = done || r.Offset >= end-1
		})
		if done {
			return last, nil
		}
	}
}

// endOffset lists the last stable offset of state partition p: the end,
// once take has fenced the partition's previous producer (no transaction
// of the partition is open).
func (o *Owner) endOffset(ctx context.Context, p int32) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.IsolationLevel = 1 // read committed
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = o.cfg.StateTopic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = p, -1, -1
	t.Partitions = append(t.Partitions, rp)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, o.cl)
	if err != nil {
		return 0, fmt.Errorf("list end offset of state partition %d: %w", p, err)
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if rp.Partition != p {
				continue
			}
			if err := kerrOf(rp.ErrorCode); err != nil {
				return 0, fmt.Errorf("list end offset of state partition %d: %w", p, err)
			}
			return rp.Offset, nil
		}
	}
	return 0, fmt.Errorf("list end offset of state partition %d: not in the answer (does %s have as many partitions as %s?)",
		p, o.cfg.StateTopic, o.cfg.HitTopic)
}

// revoked writes the state of partitions taken away in a rebalance (or
// at Close) and commits, so the next owner replays nothing.
func (o *Owner) revoked(ctx context.Context, _ *kgo.Client, lost map[string][]int32) {
	for _, p := range lost[o.cfg.HitTopic] {
		o.mu.Lock()
		pt := o.parts[p]
		delete(o.parts, p)
		o.mu.Unlock()
		if pt == nil {
			continue
		}
		if err := o.checkpoint(ctx, p, pt); err != nil {
			o.log.Warn("write state of a revoked correlation partition (its next owner replays from the last state)",
				"partition", p, "err", err)
		}
		pt.tx.Close()
	}
}

// lost drops partitions without writing their state: another member may
// already own them (and has fenced their producers).
func (o *Owner) lost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range lost[o.cfg.HitTopic] {
		if pt := o.parts[p]; pt != nil {
			pt.tx.Close()
		}
		delete(o.parts, p)
	}
}

// checkpoint writes the state of partition p, with the chained hits its
// engine made since the last one, in one transaction of the partition's
// producer and, once the brokers have committed it, commits the
// partition's offset.
func (o *Owner) checkpoint(ctx context.Context, p int32, pt *partition) error {
	if pt.since == 0 && len(pt.chain) == 0 {
		return nil
	}
	v := appendState(nil, state{next: pt.next, engine: pt.e.State()})
	if len(v) > MaxStateRecord {
		return fmt.Errorf("state of partition %d is %d bytes, over %d", p, len(v), MaxStateRecord)
	}
	rec := &kgo.Record{Topic: o.cfg.StateTopic, Partition: p, Key: []byte(o.cfg.HitTopic + "/" + strconv.Itoa(int(p))), Value: v}
	if err := pt.tx.BeginTransaction(); err != nil {
		return fmt.Errorf("begin state transaction of partition %d: %w", p, err)
	}
	if err := pt.tx.ProduceSync(ctx, append([]*kgo.Record{rec}, pt.chain...)...).FirstErr(); err != nil {
		aerr := pt.tx.EndTransaction(ctx, kgo.TryAbort)
		return fmt.Errorf("produce state of partition %d: %w", p, errors.Join(err, aerr))
	}
	if err := pt.tx.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit state of partition %d: %w", p, err)
	}
	pt.since, pt.wrote, pt.chain = 0, time.Now(), nil
	var cerr error
	o.cl.CommitOffsetsSync(ctx, map[string]map[int32]kgo.EpochOffset{o.cfg.HitTopic: {p: {Epoch: pt.epoch, Offset: pt.next}}},
		func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			if err != nil {
				cerr = err
				return
			}
			for _, t := range resp.Topics {
				for _, rp := range t.Partitions {
					if e := kerrOf(rp.ErrorCode); e != nil && cerr == nil {
						cerr = e
					}
				}
			}
		})
	if cerr != nil {
		// the state record holds the offset; the commit only reports lag
		return fmt.Errorf("commit offset of partition %d: %w", p, cerr)
	}
	return nil
}

// fenced reports whether err says that another member fenced this
// member's producer of a partition: the partition is not this member's
// any more, whatever its group membership still says.
func fenced(err error) bool {
	return errors.Is(err, kerr.ProducerFenced) || errors.Is(err, kerr.InvalidProducerEpoch) ||
		errors.Is(err, kerr.TransactionalIDAuthorizationFailed)
}

// Run polls, counts and checkpoints until ctx ends; then it writes the
// state of its partitions and leaves the group (Close).
func (o *Owner) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, o.cfg.TickInterval)
		fs := o.cl.PollFetches(pctx)
		cancel()
		if fs.IsClientClosed() {
			return nil
		}
		for _, fe := range fs.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) && !errors.Is(fe.Err, context.Canceled) {
				o.log.Warn("poll correlation hits", "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
			}
		}
		o.mu.Lock()
		fs.EachPartition(o.process)
		o.maintain(ctx)
		o.mu.Unlock()
		o.cl.AllowRebalance()
	}
	o.Close()
	return nil
}

// process counts the records of one fetched partition.
func (o *Owner) process(ft kgo.FetchTopicPartition) {
	pt := o.parts[ft.Partition]
	if pt == nil || ft.Topic != o.cfg.HitTopic {
		return
	}
	var out []correlate.Firing
	for _, r := range ft.Records {
		if r.Offset < pt.next {
			continue // in the restored state already
		}
		if pt.start < 0 {
			pt.start = r.Offset
		}
		pt.next, pt.epoch = r.Offset+1, r.LeaderEpoch
		pt.since++
		corr, err := decodeHit(r.Value, &o.hit)
		if err != nil {
			o.log.Warn("skip a bad correlation hit record", "partition", ft.Partition, "offset", r.Offset, "err", err)
			continue
		}
		o.one[0] = o.hit
		fs, err := pt.e.ProcessFor(corr, o.one[:])
		if err != nil {
			o.log.Error("process correlation hit", "err", err)
			continue
		}
		out = append(out, fs...)
	}
	o.fired(ft.Partition, pt, out)
}

// fired emits the firings of partition p and keeps the chained hits they
// make for the partition's next state transaction.
func (o *Owner) fired(p int32, pt *partition, fs []correlate.Firing) {
	if len(fs) == 0 {
		return
	}
	set := o.set.Load()
	for i := range fs {
		h, ok := fs[i].ChainHit()
		if !ok {
			continue
		}
		o.buf = set.Route(&h, o.buf, func(c *correlate.Corr, group []byte) {
			pt.chain = append(pt.chain, &kgo.Record{Topic: o.cfg.HitTopic,
				Key: appendKey(nil, h.Tenant, c.Key, group), Value: appendHit(nil, c.Key, &h)})
		})
	}
	o.cfg.Emit(p, fs)
}

// maintain ticks the engines and writes the states that are due (at once
// for a partition with chained hits to route); the caller holds o.mu.
func (o *Owner) maintain(ctx context.Context) {
	now := time.Now()
	tick := now.Sub(o.lastTick) >= o.cfg.TickInterval
	if tick {
		o.lastTick = now
	}
	for p, pt := range o.parts {
		if tick {
			o.fired(p, pt, pt.e.Tick())
		}
		if ctx.Err() != nil {
			continue // Close writes the states
		}
		if len(pt.chain) > 0 || pt.since >= o.cfg.SnapshotEvery || pt.since > 0 && now.Sub(pt.wrote) >= o.cfg.SnapshotInterval {
			if err := o.checkpoint(ctx, p, pt); err != nil {
				o.failed(ctx, p, pt, err)
			}
		}
	}
}

// failed handles a checkpoint that failed. Fenced, the partition is
// another member's: it is dropped. Otherwise the state transaction may or
// may not have committed, so the partition is taken over again from its
// last committed state (its engine and unsent chained hits are dropped;
// the replay makes them again). The caller holds o.mu.
func (o *Owner) failed(ctx context.Context, p int32, pt *partition, err error) {
	if fenced(err) {
		o.log.Warn("correlation partition fenced by its new owner; dropped", "partition", p, "err", err)
		pt.tx.Close()
		delete(o.parts, p)
		return
	}
	o.log.Warn("checkpoint correlation partition; taking it over again from its last committed state", "partition", p, "err", err)
	np, restored, terr := o.take(ctx, p)
	if terr != nil {
		o.log.Error("take a correlation partition over again; dropped until the group assigns it again", "partition", p, "err", terr)
		pt.tx.Close()
		delete(o.parts, p)
		return
	}
	pt.tx.Close()
	if !restored {
		np.next = max(pt.start, 0)
	}
	o.parts[p] = np
	o.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{o.cfg.HitTopic: {p: {Epoch: -1, Offset: np.next}}})
}

// SetRules switches the engines of the owned partitions, and those taken
// over later, to a new generation of the rules (a reload): the groups of
// correlations that are gone or changed are dropped (a changed definition
// is a new correlation key).
func (o *Owner) SetRules(set *correlate.Set) error {
	o.set.Store(set)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, pt := range o.parts {
		pt.e.SetRules(set)
	}
	return nil
}

// Owned returns the partitions owned now and the first offset of each not
// yet counted.
func (o *Owner) Owned() map[int32]int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[int32]int64, len(o.parts))
	for p, pt := range o.parts {
		out[p] = pt.next
	}
	return out
}

// Close writes the state of the owned partitions (through the revoke of
// leaving the group) and closes the client.
func (o *Owner) Close() {
	o.cl.Close()
}
