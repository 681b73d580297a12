package keyshard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Machine is the state of one owned partition. The Owner calls it from
// one goroutine at a time (Run's, or the group's on assignment).
type Machine interface {
	// Process handles records of the partition, in offset order; records
	// the restored state includes are not given. What it emits must be
	// out of the process (or retried until it is) when it returns: the
	// offsets may be committed after it.
	Process(recs []*kgo.Record)
	// Tick is called every TickInterval (windows of quiet keys close).
	Tick()
	// State encodes the machine's state; Restore replaces it with one.
	State() ([]byte, error)
	Restore(b []byte) error
}

// Outbox is implemented by a Machine that makes records of its own which
// must commit together with the state that made them (correlation: the
// chained hits of inner firings, routed to the outer keys). The Owner
// produces them in the transaction of the partition's next state record,
// which it writes at once (in the same poll) when there are some: a member
// killed before that transaction leaves neither the state nor the records
// (the next owner replays and makes them again), one killed after leaves
// both.
type Outbox interface {
	// Outbox returns the records made since the last committed state.
	Outbox() []*kgo.Record
	// Sent tells the machine that they committed with a state.
	Sent()
}

// Config configures an Owner.
type Config struct {
	// Brokers are the seed brokers; Opts add to the client (TLS, SASL).
	Brokers []string
	Opts    []kgo.Opt
	// Topic carries the keyed records; StateTopic (compacted, with as
	// many partitions as Topic) the state of each of its partitions.
	Topic, StateTopic string
	// Group is the consumer group of the owners. The state of partition p
	// is written in transactions of the transactional id "<Group>.<p>",
	// the same on every member: the member taking a partition over
	// initialises it before reading the state, which fences the previous
	// owner if it still runs (a zombie, paused past its session timeout).
	Group string
	// TransactionTimeout bounds a state transaction; zero means
	// DefaultTransactionTimeout.
	TransactionTimeout time.Duration
	// New makes the empty machine of partition p.
	New func(p int32) (Machine, error)
	// SnapshotEvery and SnapshotInterval bound the records between two
	// state records of a partition; TickInterval is how often the
	// machines are ticked. Zero means the defaults.
	SnapshotEvery    int
	SnapshotInterval time.Duration
	// OutboxWaits writes a machine's outbox with its state on the
	// schedule above instead of at once (in the poll that made it). Set it
	// where the outbox grows with the traffic (entity analytics' peer
	// counts: one record per process event), so a busy partition does not
	// write its whole state every poll; its records then wait up to
	// SnapshotInterval.
	OutboxWaits  bool
	TickInterval time.Duration
	// Name names the owner in logs ("correlation", "entity analytics").
	Name   string
	Logger *slog.Logger
}

// partition is the machine of one owned partition.
type partition struct {
	m Machine
	// tx is the partition's transactional producer ("<Group>.<p>").
	tx *kgo.Client
	// start is the offset the partition was taken over at (-1 before the
	// first record): a re-take without a state record starts there again.
	start int64
	// next is the first offset not yet in m; since counts the records
	// processed since the last state record, written at wrote.
	next  int64
	since int
	epoch int32
	wrote time.Time
}

// Owner is one member of the group: it owns some partitions of the topic
// and runs their machines.
type Owner struct {
	cfg Config
	log *slog.Logger
	cl  *kgo.Client
	// ready is closed once cl is set: the group may assign partitions
	// (and call assigned) before kgo.NewClient returns.
	ready chan struct{}

	mu    sync.Mutex
	parts map[int32]*partition

	lastTick time.Time
	recs     []*kgo.Record
}

// NewOwner joins the group (the join completes in Run's polls).
func NewOwner(cfg Config) (*Owner, error) {
	if cfg.Topic == "" || cfg.StateTopic == "" || cfg.Group == "" || cfg.New == nil {
		return nil, errors.New("key shard owner: topic, state topic, group and New are required")
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = DefaultSnapshotEvery
	}
	if cfg.SnapshotInterval <= 0 {
		cfg.SnapshotInterval = DefaultSnapshotInterval
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = DefaultTickInterval
	}
	if cfg.TransactionTimeout <= 0 {
		cfg.TransactionTimeout = DefaultTransactionTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Topic
	}
	o := &Owner{cfg: cfg, log: cfg.Logger.With("component", "key-shard", "shard", cfg.Name), parts: map[int32]*partition{},
		ready: make(chan struct{})}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topic),
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
		return nil, fmt.Errorf("%s shard client: %w", cfg.Name, err)
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
	for p := range offs[o.cfg.Topic] {
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
			offs[o.cfg.Topic][p] = kgo.NewOffset().At(pt.next).WithEpoch(-1)
		}
		o.log.Info("partition taken over", "partition", p, "restored", restored, "from_offset", pt.next)
	}
	return offs, nil
}

// take fences the producer of partition p's previous owner, then loads
// the partition's last committed state. Fencing first matters: a zombie
// owner (paused past its session timeout) can commit no state, and no
// outbox records, after the state read here.
func (o *Owner) take(ctx context.Context, p int32) (pt *partition, restored bool, err error) {
	tx, err := o.newTx(p)
	if err != nil {
		return nil, false, err
	}
	// InitProducerID: bumps the epoch of the partition's transactional id
	// and aborts the transaction its previous owner left open
	if _, _, err := tx.ProducerID(ctx); err != nil {
		tx.Close()
		return nil, false, fmt.Errorf("fence the previous owner of partition %d: %w", p, err)
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
// to state partition p, outbox records by their key (murmur2, as the
// routers produce them).
func (o *Owner) newTx(p int32) (*kgo.Client, error) {
	byKey := kgo.StickyKeyPartitioner(nil)
	stateTopic := o.cfg.StateTopic
	part := kgo.BasicConsistentPartitioner(func(topic string) func(*kgo.Record, int) int {
		if topic == stateTopic {
			return func(r *kgo.Record, _ int) int { return int(r.Partition) }
		}
		return byKey.ForTopic(topic).Partition
	})
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(o.cfg.Brokers...),
		kgo.TransactionalID(o.cfg.Group + "." + strconv.Itoa(int(p))),
		kgo.TransactionTimeout(o.cfg.TransactionTimeout),
		kgo.RecordPartitioner(part),
		kgo.ProducerBatchMaxBytes(MaxStateRecord + 1<<20),
		kgo.RequiredAcks(kgo.AllISRAcks())},
		o.cfg.Opts...)...)
	if err != nil {
		return nil, fmt.Errorf("%s partition %d producer: %w", o.cfg.Name, p, err)
	}
	return cl, nil
}

// load reads the last committed state record of partition p (state
// partition p). Without one (restored false) the partition starts empty at
// its committed offset, or the start.
func (o *Owner) load(ctx context.Context, p int32) (pt *partition, restored bool, err error) {
	m, err := o.cfg.New(p)
	if err != nil {
		return nil, false, err
	}
	pt = &partition{m: m, epoch: -1, wrote: time.Now()}
	end, err := o.endOffset(ctx, p)
	if err != nil {
		return nil, false, err
	}
	// The partition ends with transaction markers, after the aborted
	// states of fenced owners too: look back from the end, further each
	// time, until a committed state record is found or the start reached.
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
		err = m.Restore(st.machine)
	}
	if err != nil {
		// a damaged state costs this partition's state, not the service
		o.log.Error("partition state unreadable; starting it empty at its committed offset", "partition", p, "err", err)
		if m, err = o.cfg.New(p); err != nil {
			return nil, false, err
		}
		return &partition{m: m, epoch: -1, wrote: time.Now()}, false, nil
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
		// the markers say when end is reached; aborted states are dropped
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

// endOffset lists the last stable offset of state partition p: its end,
// once take has fenced the partition's previous producer (no transaction
// of the partition is open then).
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
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return 0, fmt.Errorf("list end offset of state partition %d: %w", p, err)
			}
			return rp.Offset, nil
		}
	}
	return 0, fmt.Errorf("list end offset of state partition %d: not in the answer (does %s have as many partitions as %s?)",
		p, o.cfg.StateTopic, o.cfg.Topic)
}

// revoked writes the state of partitions taken away in a rebalance (or
// at Close) and commits, so the next owner replays nothing.
func (o *Owner) revoked(ctx context.Context, _ *kgo.Client, lost map[string][]int32) {
	for _, p := range lost[o.cfg.Topic] {
		o.mu.Lock()
		pt := o.parts[p]
		delete(o.parts, p)
		o.mu.Unlock()
		if pt == nil {
			continue
		}
		if err := o.checkpoint(ctx, p, pt); err != nil {
			o.log.Warn("write state of a revoked partition (its next owner replays from the last state)",
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
	for _, p := range lost[o.cfg.Topic] {
		if pt := o.parts[p]; pt != nil {
			pt.tx.Close()
		}
		delete(o.parts, p)
	}
}

// checkpoint writes the state of partition p, with the machine's outbox,
// in one transaction of the partition's producer and, once the brokers
// have committed it, commits the partition's offset.
func (o *Owner) checkpoint(ctx context.Context, p int32, pt *partition) error {
	out := outbox(pt.m)
	if pt.since == 0 && len(out) == 0 {
		return nil
	}
	ms, err := pt.m.State()
	if err != nil {
		return fmt.Errorf("encode state of partition %d: %w", p, err)
	}
	v := appendState(nil, state{next: pt.next, machine: ms})
	if len(v) > MaxStateRecord {
		return fmt.Errorf("state of partition %d is %d bytes, over %d", p, len(v), MaxStateRecord)
	}
	rec := &kgo.Record{Topic: o.cfg.StateTopic, Partition: p, Key: []byte(o.cfg.Topic + "/" + strconv.Itoa(int(p))), Value: v}
	if err := pt.tx.BeginTransaction(); err != nil {
		return fmt.Errorf("begin state transaction of partition %d: %w", p, err)
	}
	if err := pt.tx.ProduceSync(ctx, append([]*kgo.Record{rec}, out...)...).FirstErr(); err != nil {
		aerr := pt.tx.EndTransaction(ctx, kgo.TryAbort)
		return fmt.Errorf("produce state of partition %d: %w", p, errors.Join(err, aerr))
	}
	if err := pt.tx.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit state of partition %d: %w", p, err)
	}
	if ob, ok := pt.m.(Outbox); ok {
		ob.Sent()
	}
	pt.since, pt.wrote = 0, time.Now()
	var cerr error
	o.cl.CommitOffsetsSync(ctx, map[string]map[int32]kgo.EpochOffset{o.cfg.Topic: {p: {Epoch: pt.epoch, Offset: pt.next}}},
		func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			if err != nil {
				cerr = err
				return
			}
			for _, t := range resp.Topics {
				for _, rp := range t.Partitions {
					if e := kerr.ErrorForCode(rp.ErrorCode); e != nil && cerr == nil {
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

// Run polls, processes and checkpoints until ctx ends; then it writes the
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
				o.log.Warn("poll", "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
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

// process gives the new records of one fetched partition to its machine.
func (o *Owner) process(ft kgo.FetchTopicPartition) {
	pt := o.parts[ft.Partition]
	if pt == nil || ft.Topic != o.cfg.Topic {
		return
	}
	o.recs = o.recs[:0]
	for _, r := range ft.Records {
		if r.Offset < pt.next {
			continue // in the restored state already
		}
		if pt.start < 0 {
			pt.start = r.Offset
		}
		pt.next, pt.epoch = r.Offset+1, r.LeaderEpoch
		pt.since++
		o.recs = append(o.recs, r)
	}
	if len(o.recs) > 0 {
		pt.m.Process(o.recs)
	}
	clear(o.recs)
}

// maintain ticks the machines and writes the states that are due (at
// once for a partition with an outbox, unless OutboxWaits); the caller
// holds o.mu.
func (o *Owner) maintain(ctx context.Context) {
	now := time.Now()
	tick := now.Sub(o.lastTick) >= o.cfg.TickInterval
	if tick {
		o.lastTick = now
	}
	for p, pt := range o.parts {
		if tick {
			pt.m.Tick()
		}
		if ctx.Err() != nil {
			continue // Close writes the states
		}
		due := pt.since >= o.cfg.SnapshotEvery || pt.since > 0 && now.Sub(pt.wrote) >= o.cfg.SnapshotInterval
		if due || !o.cfg.OutboxWaits && len(outbox(pt.m)) > 0 {
			if err := o.checkpoint(ctx, p, pt); err != nil {
				o.failed(ctx, p, pt, err)
			}
		}
	}
}

func outbox(m Machine) []*kgo.Record {
	if ob, ok := m.(Outbox); ok {
		return ob.Outbox()
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

// failed handles a checkpoint that failed. Fenced, the partition is
// another member's: it is dropped. Otherwise the state transaction may or
// may not have committed, so the partition is taken over again from its
// last committed state (its machine and outbox are dropped; the replay
// makes them again). The caller holds o.mu.
func (o *Owner) failed(ctx context.Context, p int32, pt *partition, err error) {
	if fenced(err) {
		o.log.Warn("partition fenced by its new owner; dropped", "partition", p, "err", err)
		pt.tx.Close()
		delete(o.parts, p)
		return
	}
	o.log.Warn("checkpoint partition; taking it over again from its last committed state", "partition", p, "err", err)
	np, restored, terr := o.take(ctx, p)
	pt.tx.Close()
	if terr != nil {
		o.log.Error("take a partition over again; dropped until the group assigns it again", "partition", p, "err", terr)
		delete(o.parts, p)
		return
	}
	if !restored {
		np.next = max(pt.start, 0)
	}
	o.parts[p] = np
	o.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{o.cfg.Topic: {p: {Epoch: -1, Offset: np.next}}})
}

// Each calls fn with every owned partition's machine, under the lock that
// Run holds while machines process records.
func (o *Owner) Each(fn func(p int32, m Machine)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for p, pt := range o.parts {
		fn(p, pt.m)
	}
}

// Owned returns the partitions owned now and the first offset of each not
// yet processed.
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
