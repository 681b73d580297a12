package pipeline

import (
	"context"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Source reads records from the outside world and submits them in batches.
type Source interface {
	// Name is the configured name of the source.
	Name() string
	// Run reads until ctx ends or a fatal error occurs. It returns nil when
	// ctx ended; errors on one connection or file are reported (logged and
	// counted) and do not end Run.
	Run(ctx context.Context, in Input) error
}

// Processor transforms events between parsing and the sinks (normalise,
// filter, enrich). It returns the events to pass on, which may be a prefix
// of the slice it was given, reordered in place; a dropped event must be
// counted by the processor.
type Processor interface {
	Name() string
	Process(ctx context.Context, events []*event.Event) []*event.Event
}

// Sink receives the processed events of every batch (the store, detection,
// forwarding). Write returns once the sink is done with the events; the
// store's Write returns once they are durable.
type Sink interface {
	Name() string
	Write(ctx context.Context, events []*event.Event) error
}

// DeadLetter is a record that could not be parsed, kept with the reason.
type DeadLetter struct {
	Time     time.Time
	Tenant   string
	Source   string
	Format   string
	Peer     string
	Position string
	Reason   string
	Data     []byte
}

// DeadLetterSink stores dead letters so they stay visible and searchable.
type DeadLetterSink interface {
	WriteDeadLetters(ctx context.Context, letters []DeadLetter) error
}
