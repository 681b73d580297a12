package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// maxFields bounds the distinct fields of a dataset the catalog records (as
// the embedded store's maxColumns does): a source that invents keys per
// record would otherwise grow every query without bound. Fields beyond it
// are kept in v_raw and returned, and full-text search still finds them.
const maxFields = 4096

// kindSet is a bit set of event.Kind values.
type kindSet uint16

// queryType is the type a search reads a field with, as the embedded store
// types its columns: ints, ints and floats, bools, times and lists keep
// their type; anything else (strings, IPs, mixed kinds) is text.
func (k kindSet) queryType() query.Type {
	switch k {
	case 1 << event.KindInt:
		return query.TypeInt
	case 1<<event.KindInt | 1<<event.KindFloat, 1 << event.KindFloat:
		return query.TypeFloat
	case 1 << event.KindBool:
		return query.TypeBool
	case 1 << event.KindTime:
		return query.TypeTime
	case 1 << event.KindList:
		return query.TypeList
	}
	return query.TypeString
}

// catalog caches the fields table: dataset → field → kinds.
type catalog struct {
	mu    sync.Mutex
	kinds map[store.Dataset]map[string]kindSet
}

// load reads the fields table, which other Vigil nodes may have added to.
func (s *Store) loadCatalog(ctx context.Context) (map[store.Dataset]map[string]kindSet, error) {
	res, err := s.c.query(ctx, "SELECT dataset, field, groupBitOr(kinds) FROM "+sqlgen.CHIdent(s.db)+".fields GROUP BY dataset, field")
	if err != nil {
		return nil, fmt.Errorf("read clickhouse field catalog: %w", err)
	}
	out := map[store.Dataset]map[string]kindSet{}
	for _, row := range res.Data {
		if len(row) != 3 {
			return nil, fmt.Errorf("read clickhouse field catalog: row of %d columns", len(row))
		}
		var d, f string
		var k json.Number
		if json.Unmarshal(row[0], &d) != nil || json.Unmarshal(row[1], &f) != nil || json.Unmarshal(row[2], &k) != nil {
			return nil, fmt.Errorf("read clickhouse field catalog: bad row %s", row)
		}
		n, _ := k.Int64()
		if out[store.Dataset(d)] == nil {
			out[store.Dataset(d)] = map[string]kindSet{}
		}
		out[store.Dataset(d)][f] = kindSet(n)
	}
	s.cat.mu.Lock()
	s.cat.kinds = out
	s.cat.mu.Unlock()
	return out, nil
}

// note records the kinds the events have in the fields table before they
// are written, so that no stored event has a field the catalog lacks.
func (s *Store) note(ctx context.Context, d store.Dataset, events []*event.Event) error {
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	known := s.cat.kinds[d]
	add := map[string]kindSet{}
	for _, e := range events {
		for _, f := range e.Fields {
			k := f.Value.Kind()
			if k == event.KindNull || reserved(f.Name) {
				continue
			}
			bit := kindSet(1) << k
			if known[f.Name]&bit != 0 || add[f.Name]&bit != 0 {
				continue
			}
			if _, ok := known[f.Name]; !ok {
				if _, ok := add[f.Name]; !ok && len(known)+len(add) >= maxFields {
					continue
				}
			}
			add[f.Name] |= bit
		}
	}
	if len(add) == 0 {
		return nil
	}
	var b []byte
	for f, k := range add {
		b = append(b, `{"dataset":`...)
		b = event.AppendJSONString(b, string(d))
		b = append(b, `,"field":`...)
		b = event.AppendJSONString(b, f)
		b = append(b, fmt.Sprintf(`,"kinds":%d}`, k)...)
		b = append(b, '\n')
	}
	if err := s.c.insert(ctx, sqlgen.CHIdent(s.db)+".fields", b); err != nil {
		return fmt.Errorf("record fields in clickhouse catalog: %w", err)
	}
	if s.cat.kinds == nil {
		s.cat.kinds = map[store.Dataset]map[string]kindSet{}
	}
	if s.cat.kinds[d] == nil {
		s.cat.kinds[d] = map[string]kindSet{}
	}
	for f, k := range add {
		s.cat.kinds[d][f] |= k
	}
	return nil
}

// fieldExpr is the SQL of a field in a search's FROM item, of the type t:
// its own column or its entry in v_attrs (text) or v_lists, converted.
func fieldExpr(field string, t query.Type) string {
	if t == query.TypeList {
		return "v_lists.value[indexOf(v_lists.key, " + sqlgen.CHString(field) + ")]"
	}
	text, ok := promotedColumn[field]
	if !ok {
		key := sqlgen.CHString(field)
		text = "if(has(v_attrs.key, " + key + "), v_attrs.value[indexOf(v_attrs.key, " + key + ")], NULL)"
	}
	switch t {
	case query.TypeInt, query.TypeTime:
		return "toInt64OrNull(" + text + ")"
	case query.TypeFloat:
		return "toFloat64OrNull(" + text + ")"
	case query.TypeBool:
		return "(" + text + " = 'true')"
	}
	return text
}

// recorder is a query.Catalog that notes the fields a compile asks about,
// so that the FROM item has only those columns.
type recorder struct {
	types map[string]query.Type
	used  map[string]bool
}

func (r *recorder) FieldType(name string) (query.Type, bool) {
	t, ok := r.types[name]
	if ok {
		r.used[name] = true
	}
	return t, ok
}

func catalogTypes(kinds map[string]kindSet) map[string]query.Type {
	out := make(map[string]query.Type, len(kinds))
	for f, k := range kinds {
		if !strings.HasPrefix(f, "v_") {
			out[f] = k.queryType()
		}
	}
	return out
}
