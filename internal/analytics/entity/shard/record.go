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

// peerKey is the key of a peer record: tenant, "\x00peer " + analytic
// (no entity type starts with a NUL) and value. Every sighting of one
// value by one analytic of a tenant has the same key, hence partition.
func peerKey(tenant, analytic, value string) []byte {
	return appendKey(nil, tenant, entity.Ref{Type: "\x00peer " + analytic, Name: value})
}

// appendPeerHead writes the start of a peer record's value: the head of
// entity r, the analytic and the value, and (kindPeers) the peer count;
// the event follows to the end of the value.
func appendPeerHead(dst []byte, kind byte, r entity.Ref, analytic, value string, others int) []byte {
	dst = appendHead(dst, kind, r)
	dst = appendString(dst, analytic)
	dst = appendString(dst, value)
	if kind == kindPeers {
		dst = binary.AppendUvarint(dst, uint64(others))
	}
	return dst
}

// record is a decoded entity record: an event or an alert for entity r;
// a peer record (kindPeer, kindPeers) has its event, its analytic and
// value, and (kindPeers) the peer count.
type record struct {
	kind     byte
	r        entity.Ref
	event    *event.Event
	alert    *alert.Alert
	analytic string
	value    string
	others   int
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
	rec := record{kind: kind, r: entity.Ref{Type: d.Str(), Name: d.Str()}}
	switch kind {
	case kindPeer:
		rec.analytic, rec.value = d.Str(), d.Str()
	case kindPeers:
		rec.analytic, rec.value = d.Str(), d.Str()
		if n := d.Uvarint(); n <= 1<<32 {
			rec.others = int(n)
		} else if d.Err == nil {
			d.Fail("peer count %d", n)
		}
	}
	if d.Err != nil {
		return record{}, d.Err
	}
	if rec.r.Type == "" || rec.r.Name == "" {
		return record{}, fmt.Errorf("%w: no entity type or name", errRecord)
	}
	switch kind {
	case kindEvent, kindPeer, kindPeers:
		if (kind == kindPeer || kind == kindPeers) && rec.analytic == "" {
			return record{}, fmt.Errorf("%w: peer record without an analytic", errRecord)
		}
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
