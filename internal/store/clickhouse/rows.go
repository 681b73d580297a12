package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// The record tables (alerts, triage, incidents, the response log,
// dashboards) are read through these helpers: a query's JSONCompact rows
// decoded into Go values, column by column.

// queryRows runs sql and calls scan for each row of the answer.
func (c *client) queryRows(ctx context.Context, sql string, scan func(row []json.RawMessage) error) error {
	res, err := c.query(forRecords(ctx), sql)
	if err != nil {
		return err
	}
	for _, row := range res.Data {
		if err := scan(row); err != nil {
			return err
		}
	}
	return nil
}

// queryInt runs a query answering one integer (a count).
func (c *client) queryInt(ctx context.Context, sql string) (int64, error) {
	res, err := c.query(forRecords(ctx), sql)
	if err != nil {
		return 0, err
	}
	if len(res.Data) != 1 || len(res.Data[0]) != 1 {
		return 0, fmt.Errorf("want one value, got %v", res.Data)
	}
	return strconv.ParseInt(trimQuotes(string(res.Data[0][0])), 10, 64)
}

// cols decodes a row into dests: *string (a String or a Nullable(String),
// null reads as ""), *int64 (an integer, quoted or not), *bool (a UInt8).
func cols(row []json.RawMessage, dests ...any) error {
	if len(row) != len(dests) {
		return fmt.Errorf("row of %d columns, want %d", len(row), len(dests))
	}
	for i, d := range dests {
		raw := row[i]
		switch d := d.(type) {
		case *string:
			if string(raw) == "null" {
				*d = ""
				continue
			}
			if err := json.Unmarshal(raw, d); err != nil {
				return fmt.Errorf("column %d: %w", i, err)
			}
		case *int64:
			n, err := strconv.ParseInt(trimQuotes(string(raw)), 10, 64)
			if err != nil {
				return fmt.Errorf("column %d: %w", i, err)
			}
			*d = n
		case *bool:
			*d = string(raw) == "1" || string(raw) == `"1"`
		default:
			return fmt.Errorf("column %d: unsupported destination %T", i, d)
		}
	}
	return nil
}

// micros is a time as the record tables keep it: Unix microseconds (18.16
// has no DateTime64); the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros reverses micros.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// jsonLines appends each row's JSON and a newline: a JSONEachRow body.
func jsonLines[T any](rows []T) ([]byte, error) {
	var b []byte
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		b = append(append(b, line...), '\n')
	}
	return b, nil
}

// versions hands out the versions of ReplacingMergeTree rows: wall-clock
// nanoseconds, increasing within this process even within a clock tick,
// and above every version already stored (resume), so that of two writes
// of a row the later one wins (FINAL, and merges) even when the clock
// went back between two runs.
type versions struct {
	mu   sync.Mutex
	last uint64
}

func (v *versions) next() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := max(uint64(time.Now().UnixNano()), v.last+1)
	v.last = n
	return n
}

// resume raises the versions above the highest stored in each of
// table.column.
func (v *versions) resume(ctx context.Context, c *client, db string, columns ...string) error {
	for _, tc := range columns {
		table, col, _ := strings.Cut(tc, ".")
		res, err := c.query(ctx, "SELECT toString(max("+col+")) FROM "+sqlgen.CHIdent(db)+"."+sqlgen.CHIdent(table))
		if err != nil {
			return fmt.Errorf("read the highest version of %s: %w", table, err)
		}
		var top string
		if len(res.Data) != 1 || len(res.Data[0]) != 1 || json.Unmarshal(res.Data[0][0], &top) != nil {
			return fmt.Errorf("read the highest version of %s: bad answer %v", table, res.Data)
		}
		n, err := strconv.ParseUint(top, 10, 64)
		if err != nil {
			return fmt.Errorf("read the highest version of %s: %w", table, err)
		}
		v.mu.Lock()
		v.last = max(v.last, n)
		v.mu.Unlock()
	}
	return nil
}
