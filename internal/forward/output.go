package forward

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Batch is what a runner hands an output: events of one tenant, in queue
// order. The output may read the events during Send only; it must not keep
// them afterwards (a Flusher keeps what it wrote, not the events).
type Batch struct {
	Tenant string
	Events []*event.Event
	// Bytes is the size of the events' queue records, for throttling.
	Bytes int
}

// Output delivers batches to one receiver. Send and Flush are called from
// one goroutine, the output's runner; Close after the runner stopped.
type Output interface {
	// Send delivers the batch and returns nil once the receiver has all of
	// it (as far as the protocol tells), or an error. An error that Permanent
	// wrapped means the receiver refuses the batch for its content and
	// will refuse it again; any other error is retried.
	Send(ctx context.Context, b *Batch) error
	// Close releases the output's connections and files.
	Close() error
}

// Flusher is an output whose delivery completes after Send: the folder
// output writes batches into a file that it renames into place when the
// file is complete. The runner acknowledges batches sent to a Flusher only
// once a later Flush returned nil. If Send or Flush fails, the runner calls
// Discard and reads the unacknowledged batches again.
type Flusher interface {
	Output
	// FlushAt is when what Send took must be flushed: a time already past
	// when the held data reached a size limit, the zero time when nothing
	// is held.
	FlushAt() time.Time
	// Flush completes the delivery of everything Send took.
	Flush(ctx context.Context) error
	// Discard drops everything Send took that was not flushed.
	Discard()
}

// BuildEnv is what an output's constructor gets.
type BuildEnv struct {
	// Name is the output's configured name.
	Name string
	// DataDir is Vigil's data directory; an output keeps its own state
	// (if any) under DataDir/state/output-<name>.
	DataDir string
	Logger  *slog.Logger
}

// Builder is implemented by the configuration type of every output
// (registered with config.RegisterOutput): it builds the output.
type Builder interface {
	NewOutput(env BuildEnv) (Output, error)
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as a refusal that sending again will not change.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
