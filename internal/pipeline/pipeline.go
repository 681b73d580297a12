package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// ErrStopped is returned by Submit once the pipeline is stopping.
var ErrStopped = errors.New("pipeline stopped")

// Defaults, with the reasoning behind them.
const (
	// DefaultQueueBatches bounds the batches waiting for a worker. Sources
	// batch up to DefaultMaxBatchRecords records, so at 64 batches at most
	// ~64k records (a third of a second at 200k events/s) wait in memory
	// before sources feel back-pressure.
	DefaultQueueBatches = 64
)

// ParserFactory builds the parser a worker uses for the records of one
// source in one format. The pipeline calls it once per worker, source and
// format, and caches the result.
type ParserFactory func(source, format string) (parse.Parser, error)

// Config configures a Pipeline.
type Config struct {
	// Workers run parse → processors → sinks; zero means GOMAXPROCS.
	Workers int
	// QueueBatches bounds the batches waiting for a worker; zero means
	// DefaultQueueBatches.
	QueueBatches int
	// Parsers builds parsers; nil means parse.New with default options.
	Parsers ParserFactory
	// Ordered reports formats whose parsers learn from the records they
	// read (CSV learns its header from the first): batches in such a format
	// are processed one at a time, in the order they were submitted, by a
	// worker of their own. Nil means parse.Ordered: what each format
	// declares when it registers (parse.Format.Ordered).
	Ordered func(format string) bool
	// Processors run in order on every batch's events.
	Processors []Processor
	// Sinks receive every batch's events, in order; the first is the store.
	Sinks []Sink
	// DeadLetters stores records that could not be parsed. Required.
	DeadLetters DeadLetterSink
	// Metrics receives the pipeline's telemetry; nil creates unregistered ones.
	Metrics *Metrics
	// Logger for errors; nil means slog.Default().
	Logger *slog.Logger
}

// Pipeline runs batches from sources through parsing, processors and sinks
// on a pool of workers, with a bounded queue in front.
type Pipeline struct {
	cfg     Config
	queue   chan *Batch
	ordered chan *Batch
	stopMu  sync.RWMutex
	closed  bool
	wg      sync.WaitGroup
	log     *slog.Logger
	pool    sync.Pool
}

// New returns a pipeline; Start starts its workers.
func New(cfg Config) (*Pipeline, error) {
	if cfg.DeadLetters == nil {
		return nil, errors.New("new pipeline: a dead-letter sink is required")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.QueueBatches <= 0 {
		cfg.QueueBatches = DefaultQueueBatches
	}
	if cfg.Parsers == nil {
		cfg.Parsers = func(_, format string) (parse.Parser, error) { return parse.New(format, parse.Options{}) }
	}
	if cfg.Ordered == nil {
		cfg.Ordered = parse.Ordered
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	p := &Pipeline{cfg: cfg, queue: make(chan *Batch, cfg.QueueBatches), ordered: make(chan *Batch, cfg.QueueBatches), log: cfg.Logger}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.pool.New = func() any { return &event.Event{Fields: make([]event.Field, 0, 24)} }
	return p, nil
}

// Start starts the workers.
func (p *Pipeline) Start() {
	for i := 0; i < p.cfg.Workers; i++ {
		p.wg.Add(1)
		go p.worker(p.queue)
	}
	p.wg.Add(1)
	go p.worker(p.ordered)
}

// Stop stops taking batches, lets the workers finish every queued batch and
// waits for them. Stop sources first so nothing is left waiting in Submit.
func (p *Pipeline) Stop() {
	p.stopMu.Lock()
	if !p.closed {
		p.closed = true
		close(p.queue)
		close(p.ordered)
	}
	p.stopMu.Unlock()
	p.wg.Wait()
}

// Submit implements Input.
func (p *Pipeline) Submit(ctx context.Context, b *Batch) error {
	if b.Received.IsZero() {
		b.Received = time.Now()
	}
	if b.Tenant == "" {
		b.Tenant = event.DefaultTenant
	}
	if err := event.ValidTenant(b.Tenant); err != nil {
		return fmt.Errorf("submit batch of source %s: %w", b.Source, err)
	}
	p.stopMu.RLock()
	defer p.stopMu.RUnlock()
	if p.closed {
		return ErrStopped
	}
	q := p.queue
	if len(b.Records) > 0 && p.cfg.Ordered(b.Format) {
		q = p.ordered
	}
	select {
	case q <- b:
		return nil
	default:
	}
	select {
	case q <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// QueueLen is the number of batches waiting for a worker.
func (p *Pipeline) QueueLen() int { return len(p.queue) + len(p.ordered) }

type workerState struct {
	parsers map[[2]string]parse.Parser
	events  []*event.Event
	dead    []DeadLetter
	subs    []Record
}

func (p *Pipeline) worker(queue chan *Batch) {
	defer p.wg.Done()
	st := &workerState{parsers: map[[2]string]parse.Parser{}}
	for b := range queue {
		p.process(st, b)
	}
}

func (p *Pipeline) parser(st *workerState, source, format string) (parse.Parser, error) {
	key := [2]string{source, format}
	if ps, ok := st.parsers[key]; ok {
		return ps, nil
	}
	ps, err := p.cfg.Parsers(source, format)
	if err != nil {
		return nil, err
	}
	st.parsers[key] = ps
	return ps, nil
}

func (p *Pipeline) process(st *workerState, b *Batch) {
	ctx := context.Background()
	tel := p.cfg.Metrics.Component("parser", b.Source)
	received := b.Received.UTC()
	events := st.events[:0]
	dead := st.dead[:0]
	format := b.Format
	if format == "" {
		format = "auto"
	}
	if len(b.Records) > 0 {
		ps, err := p.parser(st, b.Source, format)
		split := parse.Splitter(format) != nil
		for i := range b.Records {
			r := &b.Records[i]
			tel.Received.Inc()
			tel.ReceivedBytes.Add(float64(len(r.Data)))
			if split && err == nil {
				subs, batch, serr := SplitRecord(format, b.Tenant, b.Source, r, st.subs[:0])
				st.subs = subs
				if serr != nil {
					dead = append(dead, DeadLetter{Time: received, Tenant: b.Tenant, Source: b.Source, Format: format,
						Peer: r.Peer, Position: r.Position, Reason: serr.Error(), Data: r.Data})
					continue
				}
				if batch {
					sps, sf, perr := ps, parse.SplitFormat(format), error(nil)
					if sf != format {
						sps, perr = p.parser(st, b.Source, sf)
					}
					for j := range subs {
						if perr != nil {
							dead = append(dead, DeadLetter{Time: received, Tenant: b.Tenant, Source: b.Source, Format: sf,
								Peer: subs[j].Peer, Position: subs[j].Position, Reason: perr.Error(), Data: subs[j].Data})
							continue
						}
						events, dead = p.parseOne(sps, b, &subs[j], received, sf, events, dead)
					}
					clear(st.subs)
					continue
				}
			}
			if err != nil {
				dead = append(dead, DeadLetter{Time: received, Tenant: b.Tenant, Source: b.Source, Format: format,
					Peer: r.Peer, Position: r.Position, Reason: err.Error(), Data: r.Data})
				continue
			}
			events, dead = p.parseOne(ps, b, r, received, format, events, dead)
		}
	}
	for _, e := range b.Events {
		tel.Received.Inc()
		if err := fillEnvelope(e, b, received); err != nil {
			dead = append(dead, DeadLetter{Time: received, Tenant: b.Tenant, Source: b.Source, Format: "event",
				Reason: err.Error(), Data: e.AppendJSON(nil)})
			continue
		}
		events = append(events, e)
	}
	if len(b.Fields) > 0 {
		for _, e := range events {
			for _, f := range b.Fields {
				if !e.Has(f.Name) {
					e.Set(f.Name, f.Value)
				}
			}
		}
	}
	tel.DeadLettered.Add(float64(len(dead)))
	var err error
	if len(dead) > 0 {
		if err = p.cfg.DeadLetters.WriteDeadLetters(ctx, dead); err != nil {
			err = fmt.Errorf("write dead letters: %w", err)
		}
	}
	if err == nil {
		for _, proc := range p.cfg.Processors {
			events = proc.Process(ctx, events)
		}
		if n := MarkGuessedTimes(events, received); n > 0 {
			tel.TimeGuessed.Add(float64(n))
		}
		tel.Sent.Add(float64(len(events)))
		for _, s := range p.cfg.Sinks {
			st := p.cfg.Metrics.Component("sink", s.Name())
			st.Received.Add(float64(len(events)))
			if err = s.Write(ctx, events); err != nil {
				st.Errors.Inc()
				err = fmt.Errorf("sink %s: %w", s.Name(), err)
				break
			}
		}
	}
	if err != nil {
		p.log.Error("batch failed", "source", b.Source, "events", len(events), "err", err)
	}
	b.Ack(err)
	for i, e := range events {
		p.release(e)
		events[i] = nil
	}
	for i := range dead {
		dead[i] = DeadLetter{}
	}
	st.events, st.dead = events[:0], dead[:0]
}

// parseOne parses record r of batch b into an event, or a dead letter.
func (p *Pipeline) parseOne(ps parse.Parser, b *Batch, r *Record, received time.Time, format string,
	events []*event.Event, dead []DeadLetter) ([]*event.Event, []DeadLetter) {
	e := p.pool.Get().(*event.Event)
	perr := ParseRecord(ps, b.Tenant, b.Source, received, r, e)
	if errors.Is(perr, parse.ErrSkip) {
		p.release(e)
		return events, dead
	}
	if perr != nil {
		dead = append(dead, DeadLetter{Time: received, Tenant: b.Tenant, Source: b.Source, Format: format,
			Peer: r.Peer, Position: r.Position, Reason: perr.Error(), Data: r.Data})
		p.release(e)
		return events, dead
	}
	return append(events, e), dead
}

// SplitRecord splits a batch record r (Azure's {"records":[…]}; see
// parse.Format.Split) into the records it carries, to be parsed in
// parse.SplitFormat(format), appended to dst, with
// batch true; for any other record it returns dst and batch false. Each
// element keeps its exact bytes and r's peer, and its position is its
// index under r's own id (NewID of r), so every element gets a distinct,
// replay-stable event.id: identical elements of one batch, or one element
// in two batches, included. An error (a batch over its bound) means r is
// to be dead-lettered whole. `vigil parse` uses it as the pipeline does.
func SplitRecord(format, tenant, source string, r *Record, dst []Record) (_ []Record, batch bool, err error) {
	split := parse.Splitter(format)
	if split == nil {
		return dst, false, nil
	}
	parts, batch, err := split(r.Data, nil)
	if err != nil || !batch {
		return dst, batch, err
	}
	parent := event.NewID(tenant, source, r.Position, r.Occurrence, r.Data)
	for i, part := range parts {
		dst = append(dst, Record{Data: part, Peer: r.Peer, Position: parent + "/" + strconv.Itoa(i), Fields: r.Fields, Time: r.Time})
	}
	return dst, true, nil
}

func (p *Pipeline) release(e *event.Event) {
	if cap(e.Fields) > 256 {
		return
	}
	e.Reset()
	p.pool.Put(e)
}

// fillEnvelope gives a source-built event its envelope: the batch's tenant,
// source and receive time (an event's own are kept only when the batch is
// Carried and its tenant is valid), @timestamp when it lacks one (from its
// time fields, event.FindRecordTime, else the receive time), event.id when
// it lacks one, and the exact bytes of an event.original that is not UTF-8.
func fillEnvelope(e *event.Event, b *Batch, received time.Time) error {
	if b.Carried {
		if e.Tenant == "" {
			e.Tenant = b.Tenant
		}
		if err := event.ValidTenant(e.Tenant); err != nil {
			return fmt.Errorf("carried event: %w", err)
		}
		if e.Source == "" {
			e.Source = b.Source
		}
		if e.Ingested.IsZero() {
			e.Ingested = received
		}
	} else {
		e.Tenant, e.Source, e.Ingested = b.Tenant, b.Source, received
	}
	if e.Timestamp.IsZero() {
		if t, ok := event.FindRecordTime(e); ok {
			e.Timestamp = t
		} else {
			e.Timestamp = received
		}
	}
	e.KeepExactOriginal()
	if e.ID == "" {
		var buf []byte
		if e.Original != "" {
			buf = []byte(e.Original)
		} else {
			buf = e.AppendJSON(nil)
		}
		e.ID = event.NewID(e.Tenant, e.Source, "", 0, buf)
	}
	return nil
}

// MarkGuessedTimes sets vigil.time_guessed on the events whose
// @timestamp is still the receive time after parsing and normalising, the
// time no parser or normaliser found in the record, and returns how many
// it marked. (A record time equal to the receive time to the nanosecond
// does not happen: receive times come from the clock.) `vigil parse` calls
// it as the pipeline does.
func MarkGuessedTimes(events []*event.Event, received time.Time) int {
	n := 0
	for _, e := range events {
		if e.Timestamp.Equal(received) {
			e.Set(event.FieldTimeGuessed, event.Bool(true))
			n++
		}
	}
	return n
}

// ParseRecord fills e from one raw record exactly as the pipeline does:
// the envelope (tenant, source, event.original, event.ingested, @timestamp
// defaulting to the receive time), the parsed fields, event.id and
// log.source.address. `vigil parse` uses it to show what serve would store.
func ParseRecord(ps parse.Parser, tenant, source string, received time.Time, r *Record, e *event.Event) error {
	e.Tenant, e.Source, e.Ingested, e.Timestamp = tenant, source, received, received
	e.Original = string(r.Data)
	if err := safeParse(ps, r.Data, e); err != nil {
		return err
	}
	e.KeepExactOriginal()
	// Parsers never set the envelope (parsetest.Check holds them to it);
	// setting it again here makes sure no record can choose its tenant,
	// source or id whatever a parser does.
	e.Tenant, e.Source, e.Ingested = tenant, source, received
	e.ID = event.NewID(tenant, source, r.Position, r.Occurrence, r.Data)
	if r.Peer != "" && !e.Has("log.source.address") {
		e.Set("log.source.address", event.String(r.Peer))
	}
	for _, f := range r.Fields {
		if !e.Has(f.Name) {
			e.Set(f.Name, f.Value)
		}
	}
	if !r.Time.IsZero() {
		e.Timestamp = r.Time
	}
	return nil
}

// safeParse runs a parser and turns a panic, which is a bug in the parser,
// into an error so one bad record cannot stop the pipeline.
func safeParse(ps parse.Parser, data []byte, e *event.Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bug: parser panicked: %v", r)
		}
	}()
	return ps.Parse(data, e)
}
