package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Record is one raw record a source read, without its framing.
type Record struct {
	// Data holds the record's bytes; the batch owns them.
	Data []byte
	// Position locates the record in its source when the source has such a
	// notion ("/var/log/auth.log:4096"), so event.id stays stable across
	// replays; "" otherwise. See event.NewID.
	Position string
	// Peer is the network address the record came from ("10.0.0.5:514"),
	// "" for non-network sources.
	Peer string
	// Occurrence counts byte-identical records before this one in the same
	// delivery (event.Occurrences) for sources without a Position, so that
	// repeated records get distinct ids; 0 otherwise. See event.NewID.
	Occurrence int
	// Fields are set on the record's event where the parser left them
	// unset, and Time, when not zero, is its @timestamp: what a sender
	// said about one record besides its text (HEC's host, source,
	// sourcetype, index, fields and time). Empty for most sources.
	Fields []event.Field
	Time   time.Time
}

// Batch is the unit that flows through the pipeline: records of one source,
// raw (Records) or already structured (Events), or both.
type Batch struct {
	// Tenant and Source name the tenant and the configured source; every
	// event of the batch gets them.
	Tenant string
	Source string
	// Format is the parser for Records (a name parse.New knows); "" means auto.
	Format string
	// Received is when the source read the batch; events get it as
	// event.ingested, and as @timestamp unless their record has its own.
	Received time.Time
	// Fields are set on every event of the batch that lacks them
	// (log.file.path for a file source, for instance).
	Fields []event.Field
	// Records are raw records to parse.
	Records []Record
	// Events are events a source built itself (HEC, Elastic bulk, EVTX).
	// The pipeline sets their tenant, source and event.ingested from the
	// batch, whatever the event says, and fills @timestamp and event.id
	// when they lack them: a record never chooses its own envelope.
	Events []*event.Event
	// Carried marks Events that carry the envelope another Vigil node gave
	// them (the Kafka and NATS sources with trust_envelope): their tenant,
	// source, event.ingested and event.id are kept. The source has checked
	// each tenant with event.ValidTenant; the pipeline checks again and
	// dead-letters an event whose tenant is invalid.
	Carried bool

	ack     func(error)
	ackOnce sync.Once
}

// OnAck sets fn to be called exactly once when the batch is done: with nil
// once every event is durable in the store (or was dead-lettered), with the
// error otherwise. Sources that answer their senders (HTTP) wait for it.
func (b *Batch) OnAck(fn func(error)) { b.ack = fn }

// Ack calls the batch's ack function once; later calls do nothing.
func (b *Batch) Ack(err error) {
	b.ackOnce.Do(func() {
		if b.ack != nil {
			b.ack(err)
		}
	})
}

// Len is the number of records and events in the batch.
func (b *Batch) Len() int { return len(b.Records) + len(b.Events) }

// Input is what sources submit batches to; the Pipeline implements it.
type Input interface {
	// Submit queues a batch. It blocks while the pipeline is full and
	// returns ctx's error if ctx ends first (the batch is then not taken).
	Submit(ctx context.Context, b *Batch) error
}

// SubmitWait submits b and waits until it is acknowledged: the form HTTP
// sources use to answer a request only once its events are durable.
func SubmitWait(ctx context.Context, in Input, b *Batch) error {
	done := make(chan error, 1)
	b.OnAck(func(err error) { done <- err })
	if err := in.Submit(ctx, b); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
