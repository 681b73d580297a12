package watchlist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
)

// MaxImportEntries bounds one import: past it, split the file.
const MaxImportEntries = 1_000_000

// MaxImportBytes bounds one import's or change's request body (the API
// reads it): a CSV import of a million short entries fits.
const MaxImportBytes = 64 << 20

// ParseCSV reads entries from CSV. When the first row's first cell is
// `key`, the first row is a header naming the columns (key, value, count,
// ttl, in any order); otherwise the columns are key, value and ttl, the
// last two optional. Lines starting with # are comments; cells are
// trimmed; an empty key or a bad count or ttl fails the import with its
// line number.
func ParseCSV(r io.Reader) ([]EntryInput, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	cols := map[string]int{"key": 0, "value": 1, "ttl": 2}
	var out []EntryInput
	first := true
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if len(row) > 0 && strings.EqualFold(strings.TrimSpace(row[0]), "key") {
				cols = map[string]int{}
				for i, c := range row {
					name := strings.ToLower(strings.TrimSpace(c))
					switch name {
					case "key", "value", "count", "ttl":
					default:
						return nil, fmt.Errorf("csv line %d: unknown column %q (want key, value, count, ttl)", line, c)
					}
					if _, dup := cols[name]; dup {
						return nil, fmt.Errorf("csv line %d: column %q twice", line, c)
					}
					cols[name] = i
				}
				continue
			}
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue // an empty line
		}
		cell := func(name string) string {
			i, ok := cols[name]
			if !ok || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		e := EntryInput{Key: cell("key"), Value: cell("value")}
		if e.Key == "" {
			return nil, fmt.Errorf("csv line %d: empty key", line)
		}
		if c := cell("count"); c != "" {
			n, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("csv line %d: count %q is not a whole number", line, c)
			}
			e.Count = &n
		}
		if t := cell("ttl"); t != "" {
			d, err := sigma.ParseTTL(t)
			if err != nil {
				if secs, serr := strconv.ParseFloat(t, 64); serr == nil && secs >= 0 {
					d, err = time.Duration(secs*float64(time.Second)), nil
				}
			}
			if err != nil {
				return nil, fmt.Errorf("csv line %d: %w", line, err)
			}
			e.TTL = Duration(d)
		}
		if len(out) >= MaxImportEntries {
			return nil, fmt.Errorf("csv: more than %d entries in one import", MaxImportEntries)
		}
		out = append(out, e)
	}
}
