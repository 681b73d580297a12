package shard

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/detect/correlate/wire"
	"github.com/vigilsiem/vigil/internal/event"
)

// errRecord is wrapped by the decoding errors of damaged records.
var errRecord = errors.New("bad entity record")

// appendKey writes a record's key: tenant, entity type and name, each
// length-prefixed. Every record of one entity has the same key, hence the
// same partition.
func appendKey(dst []byte, tenant string, r entity.Ref) []byte {
	dst = appendString(dst, tenant)
	dst = appendString(dst, r.Type)
	return appendString(dst, r.Name)
}

// appendHead writes the start of a record's value: the version, the kind
// and the entity; the payload follows to the end of the value.
func appendHead(dst []byte, kind byte, r entity.Ref) []byte {
	dst = append(dst, RecordVersion, kind)
	dst = appendString(dst, r.Type)
	return appendString(dst, r.Name)
}

// record is a decoded entity record: an event or an alert for entity r.
type record struct {
	r     entity.Ref
	event *event.Event
	alert *alert.Alert
}

// decodeRecord reads a record's value.
func decodeRecord(b []byte) (record, error) {
	if len(b) > MaxRecord {
		return record{}, fmt.Errorf("%w: %d bytes, over %d", errRecord, len(b), MaxRecord)
	}
	d := wire.Decoder{B: b, Base: errRecord}
	v, kind := d.Byte(), d.Byte()
	if d.Err == nil && v != RecordVersion {
		return record{}, fmt.Errorf("%w: version %d, want %d", errRecord, v, RecordVersion)
	}
	rec := record{r: entity.Ref{Type: d.Str(), Name: d.Str()}}
	if d.Err != nil {
		return record{}, d.Err
	}
	if rec.r.Type == "" || rec.r.Name == "" {
		return record{}, fmt.Errorf("%w: no entity type or name", errRecord)
	}
	switch kind {
	case kindEvent:
		rec.event = &event.Event{}
		if err := rec.event.UnmarshalBinary(d.B); err != nil {
			return record{}, fmt.Errorf("%w: event: %w", errRecord, err)
		}
		if err := event.ValidTenant(rec.event.Tenant); err != nil {
			return record{}, fmt.Errorf("%w: event: %w", errRecord, err)
		}
	case kindAlert:
		rec.alert = &alert.Alert{}
		if err := json.Unmarshal(d.B, rec.alert); err != nil {
			return record{}, fmt.Errorf("%w: alert: %w", errRecord, err)
		}
		if err := event.ValidTenant(rec.alert.Tenant); err != nil {
			return record{}, fmt.Errorf("%w: alert: %w", errRecord, err)
		}
	default:
		return record{}, fmt.Errorf("%w: kind %d", errRecord, kind)
	}
	return rec, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
