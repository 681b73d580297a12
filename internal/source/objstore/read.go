package objstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/objstore/awslog"
)

// readObject reads an object and submits its records after the first
// j.skip in batches. It returns why reading stopped early, or nil.
func (s *Source) readObject(ctx context.Context, in pipeline.Input, j *job) error {
	rc, err := s.bucket.Open(ctx, j.obj)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &streamError{fmt.Errorf("open %s: %w", j.obj.Key, err)}
	}
	defer rc.Close()
	raw := &countingReader{r: rc}
	br, err := openContent(raw)
	if err != nil {
		return s.readFailure(ctx, j, err)
	}
	layout := s.cfg.Layout
	if layout == LayoutAuto {
		if layout, err = detect(br); err != nil {
			return s.readFailure(ctx, j, err)
		}
	}
	bs := &batchSender{s: s, j: j, ctx: ctx, in: in, fields: s.bucket.Fields(j.obj), layout: layout}
	maxLine := int(s.cfg.MaxLineBytes)
	switch layout {
	case LayoutLines:
		err = readLines(br, maxLine, func(n int64, line []byte, cut bool) error {
			if cut {
				s.tel.Discarded.Inc()
			}
			if n <= j.skip || len(bytes.TrimSpace(line)) == 0 {
				return nil
			}
			return bs.addRecord(n, line)
		})
	case LayoutCloudTrail:
		var compact bytes.Buffer
		err = awslog.SplitCloudTrail(br, func(n int64, rec []byte, rerr error) error {
			if n <= j.skip {
				return nil
			}
			if rerr == nil {
				compact.Reset()
				if cerr := json.Compact(&compact, rec); cerr != nil {
					rerr = fmt.Errorf("decode cloudtrail record: %w", cerr)
				} else {
					rec = compact.Bytes()
				}
			}
			e := &event.Event{Original: string(rec), Fields: make([]event.Field, 0, 48)}
			if rerr == nil {
				rerr = awslog.CloudTrail(rec, e)
			}
			return bs.addEvent(n, e, rerr)
		})
	case LayoutVPCFlow:
		var ff *awslog.FlowFormat
		err = readLines(br, maxLine, func(n int64, line []byte, cut bool) error {
			if cut {
				s.tel.Discarded.Inc()
			}
			text := string(bytes.TrimSpace(line))
			if ff == nil {
				if awslog.IsFlowHeader(text) {
					var herr error
					ff, herr = awslog.ParseFlowHeader(text)
					return herr
				}
				ff = awslog.DefaultFlowFormat()
			}
			if n <= j.skip || text == "" {
				return nil
			}
			e := &event.Event{Original: text, Fields: make([]event.Field, 0, 32)}
			return bs.addEvent(n, e, ff.Decode(text, e))
		})
	}
	// What was read before an error is sent too: the object's records up
	// to the damage are imported.
	if ctx.Err() == nil {
		if serr := bs.send(); err == nil {
			err = serr
		}
	}
	if err != nil {
		return s.readFailure(ctx, j, err)
	}
	return nil
}

// readFailure puts an error of reading into words; a stopping source is
// reported as such.
func (s *Source) readFailure(ctx context.Context, j *job, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if transient(err) {
		return err
	}
	return fmt.Errorf("%s: %w", j.obj.Key, err)
}

// batchSender collects an object's records into batches and submits them.
type batchSender struct {
	s      *Source
	j      *job
	ctx    context.Context
	in     pipeline.Input
	fields []event.Field
	layout string
	b      *pipeline.Batch
	bytes  int
	last   int64
}

// addRecord adds a raw record (a line for the source's parser).
func (bs *batchSender) addRecord(n int64, data []byte) error {
	if err := bs.room(len(data)); err != nil {
		return err
	}
	bs.b.Records = append(bs.b.Records, pipeline.Record{Data: append([]byte(nil), data...), Position: bs.s.position(bs.j.obj, n)})
	bs.added(n, len(data))
	return nil
}

// addEvent adds an event the source decoded itself; e.Original holds the
// record. A record that could not be decoded (derr) is kept as an event
// with error.message and event.kind pipeline_error, and counted as an
// error, so it stays searchable instead of being dropped.
func (bs *batchSender) addEvent(n int64, e *event.Event, derr error) error {
	if derr != nil {
		orig := e.Original
		e.Reset()
		e.Original = orig
		e.Set("message", event.String(orig))
		e.Set("event.kind", event.String("pipeline_error"))
		e.Set("error.message", event.String(derr.Error()))
		e.Set("vigil.import.layout", event.String(bs.layout))
		bs.s.tel.Errors.Inc()
	}
	pos := bs.s.position(bs.j.obj, n)
	e.ID = event.NewID(bs.s.tenant, bs.s.name, pos, 0, []byte(e.Original))
	if err := bs.room(len(e.Original)); err != nil {
		return err
	}
	bs.b.Events = append(bs.b.Events, e)
	bs.added(n, len(e.Original))
	return nil
}

// room submits the current batch when one more record of size bytes would
// overfill it, and starts a batch when there is none.
func (bs *batchSender) room(size int) error {
	if bs.b != nil && (bs.b.Len() >= pipeline.DefaultMaxBatchRecords || bs.bytes+size > pipeline.DefaultMaxBatchBytes) {
		if err := bs.send(); err != nil {
			return err
		}
	}
	if bs.b == nil {
		bs.b = &pipeline.Batch{Tenant: bs.s.tenant, Source: bs.s.name, Format: bs.s.format,
			Received: time.Now(), Fields: bs.fields}
		bs.bytes = 0
	}
	return nil
}

func (bs *batchSender) added(n int64, size int) {
	bs.last = n
	bs.bytes += size
	bs.s.tel.Received.Inc()
	bs.s.tel.ReceivedBytes.Add(float64(size))
}

// send submits the current batch as a flight ending at the last record.
func (bs *batchSender) send() error {
	b := bs.b
	if b == nil {
		return nil
	}
	bs.b = nil
	s, j := bs.s, bs.j
	fl := &flight{end: bs.last}
	s.mu.Lock()
	failed := j.ackErr
	if failed == nil {
		j.flights = append(j.flights, fl)
	}
	s.mu.Unlock()
	if failed != nil {
		// An earlier batch was not stored: the object is read again from
		// the last durable record, so sending more now would only repeat.
		return fmt.Errorf("an earlier batch failed: %w", failed)
	}
	b.OnAck(func(err error) { s.ack(j, fl, err) })
	if err := bs.in.Submit(bs.ctx, b); err != nil {
		s.ack(j, fl, err)
		return fmt.Errorf("submit batch: %w", err)
	}
	// A big object takes a while: its progress is saved as it goes.
	s.maybeSave(false)
	return nil
}
