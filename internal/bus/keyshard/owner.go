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

// Config configures an Owner.
type Config struct {
	// Brokers are the seed brokers; Opts add to the client (TLS, SASL).
	Brokers []string
	Opts    []kgo.Opt
	// Topic carries the keyed records; StateTopic (compacted, with as
	// many partitions as Topic) the state of each of its partitions.
	Topic, StateTopic string
	// Group is the consumer group of the owners.
	Group string
	// New makes the empty machine of partition p.
	New func(p int32) (Machine, error)
	// SnapshotEvery and SnapshotInterval bound the records between two
	// state records of a partition; TickInterval is how often the
	// machines are ticked. Zero means the defaults.
	SnapshotEvery    int
	SnapshotInterval time.Duration
	TickInterval     time.Duration
	// Name names the owner in logs ("correlation", "entity analytics").
	Name   string
	Logger *slog.Logger
}

// partition is the machine of one owned partition.
type partition struct {
	m Machine
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
		pt, restored, err := o.load(ctx, p)
		if err != nil {
			return nil, err
		}
		o.mu.Lock()
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

// load reads the last state record of partition p (state partition p).
// Without one (restored false) the partition starts empty at its
// committed offset, or the start.
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
	if end == 0 {
		return pt, false, nil
	}
	rd, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(o.cfg.Brokers...),
		kgo.FetchMaxPartitionBytes(MaxStateRecord + 1<<20),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.cfg.StateTopic: {p: kgo.NewOffset().At(end - 1)}})},
		o.cfg.Opts...)...)
	if err != nil {
		return nil, false, fmt.Errorf("state topic client: %w", err)
	}
	defer rd.Close()
	for {
		fs := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, false, fmt.Errorf("read state of partition %d: %w", p, err)
		}
		for _, fe := range fs.Errors() {
			return nil, false, fmt.Errorf("read state of partition %d: %w", p, fe.Err)
		}
		var last *kgo.Record
		fs.EachRecord(func(r *kgo.Record) { last = r })
		if last == nil {
			continue
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
}

// endOffset lists the end offset of state partition p.
func (o *Owner) endOffset(ctx context.Context, p int32) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
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
	}
}

// lost drops partitions without writing their state: another member may
// already own them.
func (o *Owner) lost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range lost[o.cfg.Topic] {
		delete(o.parts, p)
	}
}

// checkpoint writes the state of partition p and, once the brokers have
// it, commits its offset.
func (o *Owner) checkpoint(ctx context.Context, p int32, pt *partition) error {
	if pt.since == 0 {
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
	if err := o.cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return fmt.Errorf("produce state of partition %d: %w", p, err)
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
		pt.next, pt.epoch = r.Offset+1, r.LeaderEpoch
		pt.since++
		o.recs = append(o.recs, r)
	}
	if len(o.recs) > 0 {
		pt.m.Process(o.recs)
	}
	clear(o.recs)
}

// maintain ticks the machines and writes the states that are due; the
// caller holds o.mu.
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
		if pt.since >= o.cfg.SnapshotEvery || pt.since > 0 && now.Sub(pt.wrote) >= o.cfg.SnapshotInterval {
			if err := o.checkpoint(ctx, p, pt); err != nil {
				o.log.Warn("checkpoint partition", "partition", p, "err", err)
			}
		}
	}
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
