package shard

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/correlate/wire"
)

// errRecord is wrapped by the decoding errors of damaged records.
var errRecord = errors.New("bad correlation shard record")

// appendKey writes a hit record's key: tenant, correlation key and the
// encoded group, each length-prefixed. Every hit of one group has the
// same key, hence the same partition.
func appendKey(dst []byte, tenant, corr string, group []byte) []byte {
	dst = appendBytes(dst, []byte(tenant))
	dst = appendBytes(dst, []byte(corr))
	return appendBytes(dst, group)
}

// appendHit writes a hit record's value: the version (ChainRecordVersion
// for a chained hit), the correlation it is for, then the hit and, when
// chained, the events of the firing it stands for.
func appendHit(dst []byte, corr string, h *correlate.Hit) []byte {
	ids, chained := h.Chain()
	if chained {
		dst = append(dst, ChainRecordVersion)
	} else {
		dst = append(dst, RecordVersion)
	}
	dst = appendString(dst, corr)
	dst = appendString(dst, h.Rule)
	dst = appendString(dst, h.Tenant)
	dst = binary.AppendVarint(dst, h.Time)
	dst = appendString(dst, h.ID)
	dst = binary.AppendUvarint(dst, uint64(len(h.Fields)))
	for _, f := range h.Fields {
		dst = appendString(dst, f.Name)
		dst = appendString(dst, f.Value)
	}
	if chained {
		dst = binary.AppendUvarint(dst, uint64(len(ids)))
		for _, id := range ids {
			dst = appendString(dst, id)
		}
	}
	return dst
}

// decodeHit reads a hit record's value into h (reusing h.Fields).
func decodeHit(b []byte, h *correlate.Hit) (corr string, err error) {
	if len(b) > MaxHitRecord {
		return "", fmt.Errorf("%w: hit record of %d bytes", errRecord, len(b))
	}
	d := decoder{B: b, Base: errRecord}
	v := d.Byte()
	if d.Err != nil {
		return "", d.Err
	}
	if v != RecordVersion && v != ChainRecordVersion {
		return "", fmt.Errorf("%w: hit record version %d, want %d or %d", errRecord, v, RecordVersion, ChainRecordVersion)
	}
	corr = d.Str()
	h.Rule, h.Tenant, h.Time, h.ID = d.Str(), d.Str(), d.Varint(), d.Str()
	n := d.Count()
	h.Fields = h.Fields[:0]
	for i := 0; i < n && d.Err == nil; i++ {
		h.Fields = append(h.Fields, correlate.Field{Name: d.Str(), Value: d.Str()})
	}
	var ids []string
	if v == ChainRecordVersion {
		n := d.Count()
		for i := 0; i < n && d.Err == nil; i++ {
			ids = append(ids, d.Str())
		}
	}
	h.SetChain(v == ChainRecordVersion, ids)
	if d.Err == nil && len(d.B) != 0 {
		d.Fail("%d bytes after the hit", len(d.B))
	}
	return corr, d.Err
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads what the append functions wrote (package wire).
type decoder = wire.Decoder
