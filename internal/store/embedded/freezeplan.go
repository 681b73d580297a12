package embedded

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vigilsiem/vigil/internal/store"
)

// copyFrozen writes the rows of segs (at paths, holding data) as Parquet files under tmp,
// one per tenant and day, and describes them. Tenants are frozen in
// groups whose columns together stay within ColumnLimits.TenantColumns:
// every column a COPY writes costs DuckDB memory (a freeze of 2,000
// columns failed at 2 GB), and a tenant's cold files then hold few columns
// of others. Rows of a tenant name that is not valid (written by an older
// version) are moved to quarantine/ (see quarantine) and counted, so one bad
// tenant never stops the freezing and retention of the others; quarantined
// is how many lines went there.
func (d *dataset) copyFrozen(ctx context.Context, db *sql.DB, segs []*segment, data [][]byte, paths []string, tmp string) (files []*coldFile, quarantined int, err error) {
	first := segs[0].seq
	tenants := hotTenants(segs)
	if tenants == nil {
		var ok bool
		if tenants, ok = scanTenants(data); !ok {
			if tenants, err = segmentTenants(ctx, db, paths); err != nil {
				return nil, 0, err
			}
		}
	}
	var valid []string
	bad := map[string]bool{}
	for _, t := range tenants {
		if store.ValidTenant(t) {
			valid = append(valid, t)
		} else {
			bad[t] = true
		}
	}
	snap := d.cat.load()
	var seen []*column
	for _, c := range snap.ordered {
		if c.seen.Load()+1 >= first {
			seen = append(seen, c)
		}
	}
	// A set that fails is retried tenant by tenant; a tenant that fails on
	// its own while others succeed is quarantined, so that it cannot hold
	// back the others. When every set fails, the cause is not a tenant's
	// (a full disk, say) and the freeze fails, to be retried.
	sets := packTenants(snap, seen, valid, d.cat.limits.TenantColumns)
	var failed []string
	var firstErr error
	n := 0
	for len(sets) > 0 {
		g := sets[0]
		sets = sets[1:]
		n++
		fs, err := d.copySet(ctx, db, g, paths, filepath.Join(tmp, fmt.Sprintf("g%d", n)), segs, data)
		switch {
		case err == nil:
			files = append(files, fs...)
		case len(g.tenants) > 1:
			for _, t := range g.tenants {
				sets = append(sets, packTenants(snap, seen, []string{t}, d.cat.limits.TenantColumns)...)
			}
		default:
			d.log.Error("freeze: a tenant's rows could not be frozen", "tenant", g.tenants[0], "err", err)
			failed = append(failed, g.tenants[0])
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if len(failed) > 0 && len(files) == 0 {
		return nil, 0, firstErr
	}
	for _, t := range failed {
		bad[t] = true
	}
	if len(bad) > 0 {
		if quarantined, err = d.quarantine(segs, bad); err != nil {
			return nil, 0, err
		}
	}
	return files, quarantined, nil
}

// copySet freezes one set of tenants into tmp and describes the files.
// The direct writer (coldwrite.go) writes it unless the set holds a value
// only DuckDB's COPY converts exactly.
func (d *dataset) copySet(ctx context.Context, db *sql.DB, g freezeSet, paths []string, tmp string, segs []*segment, data [][]byte) ([]*coldFile, error) {
	if !d.cfg.noDirectFreeze {
		files, err := d.writeDirect(g, segs, data, tmp)
		if err == nil {
			return files, nil
		}
		if !errors.Is(err, errNotDirect) {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("write tenants %s: %w", strings.Join(g.tenants, ","), err)
		}
		if err := os.RemoveAll(tmp); err != nil {
			return nil, fmt.Errorf("freeze: clear tmp: %w", err)
		}
		d.m.freezeFallbacks.WithLabelValues(string(d.name)).Inc()
	}
	list := make([]string, len(g.tenants))
	for i, t := range g.tenants {
		list[i] = sqlString(t) // valid tenant names only
	}
	q := fmt.Sprintf(`COPY (
		SELECT *, "vigil.tenant" AS _t, strftime("@timestamp", '%%Y-%%m-%%d') AS _d
		FROM read_ndjson(%s, columns = %s, format = 'newline_delimited', ignore_errors = true, maximum_object_size = 67108864)
		WHERE "@timestamp" IS NOT NULL AND "vigil.tenant" IN (%s)
		ORDER BY _t, _d, "@timestamp"
	) TO %s (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d, PARTITION_BY (_t, _d), FILENAME_PATTERN 'part{i}', ROW_GROUP_SIZE 122880)`,
		sqlList(paths), columnsSpec(g.cols), strings.Join(list, ", "), sqlString(tmp), d.cfg.CompressionLevel)
	if _, err := db.ExecContext(ctx, q); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("copy tenants %s: %w", strings.Join(g.tenants, ","), err)
	}
	return d.describeFrozen(ctx, db, tmp, segs)
}

// hotTenants lists the tenants of segs as the committer recorded them, or
// returns nil when a segment has no record (recovered at start).
func hotTenants(segs []*segment) []string {
	seen := map[string]bool{}
	for _, s := range segs {
		if s.tenants == nil {
			return nil
		}
		for t := range s.tenants {
			seen[t] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// scanTenants lists the tenants of the event lines in data (segments
// recovered at start, whose tenants the committer did not record) as the
// encoder writes them: @timestamp first, then vigil.tenant with no escape.
// ok is false where a line is not of that form; segmentTenants then reads
// the segments with DuckDB, which cost a freeze of 200,000 bench events
// ~1 CPU-s of its ~3.5. A line that only DuckDB would drop (damaged after
// the tenant) lists its tenant here too: the freeze of that tenant then
// finds no row of it, which is what it found before.
func scanTenants(data [][]byte) ([]string, bool) {
	seen := map[string]bool{}
	for _, b := range data {
		for off := 0; off < len(b); {
			end := bytes.IndexByte(b[off:], '\n')
			if end < 0 {
				end = len(b)
			} else {
				end += off
			}
			line := b[off:end]
			off = end + 1
			if bytes.HasPrefix(line, []byte(`{"#`)) || len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			t, ok := lineTenant(line)
			if !ok {
				return nil, false
			}
			if !seen[string(t)] { // a look-up with string(t) does not allocate; an assignment does
				seen[string(t)] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), true
}

// lineTenant returns the tenant of an event line whose @timestamp reads
// (rowKey's reading of both).
func lineTenant(line []byte) ([]byte, bool) {
	const pre = len(`{"@timestamp":"`)
	if !bytes.HasPrefix(line, []byte(`{"@timestamp":"`)) || len(line) < pre+28 || line[pre+27] != '"' {
		return nil, false
	}
	if _, ok := parseMicros(line[pre : pre+27]); !ok {
		return nil, false
	}
	i := bytes.Index(line, []byte(`,"vigil.tenant":"`))
	if i < 0 {
		return nil, false
	}
	t := line[i+len(`,"vigil.tenant":"`):]
	j := bytes.IndexByte(t, '"')
	if j < 0 || bytes.IndexByte(t[:j], '\\') >= 0 {
		return nil, false
	}
	return t[:j], true
}

// segmentTenants lists the tenants of the rows a freeze keeps, reading the
// segments.
func segmentTenants(ctx context.Context, db *sql.DB, paths []string) ([]string, error) {
	rs, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT "vigil.tenant" FROM read_ndjson(%s,
		columns = {'@timestamp': 'TIMESTAMP', 'vigil.tenant': 'VARCHAR'}, format = 'newline_delimited', ignore_errors = true, maximum_object_size = 67108864)
		WHERE "@timestamp" IS NOT NULL AND "vigil.tenant" IS NOT NULL`, sqlList(paths)))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var t string
		if err := rs.Scan(&t); err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return out, rs.Err()
}

// freezeSet is tenants frozen by one COPY, with the columns it writes.
type freezeSet struct {
	tenants []string
	cols    []*column
}

// packTenants groups tenants, in order, so that the columns of seen that
// a group's tenants use number at most limit (a tenant over it on its own,
// through columns every tenant reads, gets a group alone).
func packTenants(snap *catalogSnapshot, seen []*column, tenants []string, limit int) []freezeSet {
	var sets []freezeSet
	var union []uint64
	count := func(b []uint64) int {
		n := 0
		for _, w := range b {
			n += bits.OnesCount64(w)
		}
		return n
	}
	or := func(a []uint64, tc *tenantColumns) []uint64 {
		out := slices.Clone(a)
		if tc == nil {
			return out
		}
		for len(out) < len(tc.bits) {
			out = append(out, 0)
		}
		for i, w := range tc.bits {
			out[i] |= w
		}
		return out
	}
	var cur []string
	flush := func() {
		if len(cur) == 0 {
			return
		}
		set := freezeSet{tenants: cur}
		for _, c := range seen {
			if c.all || c.idx/64 < len(union) && union[c.idx/64]&(1<<(c.idx%64)) != 0 {
				set.cols = append(set.cols, c)
			}
		}
		sets = append(sets, set)
		cur, union = nil, nil
	}
	for _, t := range tenants {
		next := or(union, snap.tenants[t])
		if len(cur) > 0 && count(next) > limit {
			flush()
			next = or(nil, snap.tenants[t])
		}
		cur = append(cur, t)
		union = next
	}
	flush()
	return sets
}

// quarantine moves the hot lines of the tenants in bad (names that are not
// valid, which no freeze can file under cold/<tenant>/) to
// quarantine/s<first>-<last>.ndjson, byte for byte, and returns how many
// lines it moved. Nothing is lost; an operator reads them there.
func (d *dataset) quarantine(segs []*segment, bad map[string]bool) (int, error) {
	first, last := segs[0].seq, segs[len(segs)-1].seq
	dir := filepath.Join(d.dir, "quarantine")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("quarantine: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("s%016d-%016d.ndjson", first, last))
	out, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("quarantine: %w", err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	n := 0
	for _, s := range segs {
		f, err := os.Open(s.path)
		if err != nil {
			return 0, fmt.Errorf("quarantine: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 1<<20), 80<<20)
		for sc.Scan() {
			var env struct {
				Tenant *string `json:"vigil.tenant"`
			}
			if json.Unmarshal(sc.Bytes(), &env) != nil || env.Tenant == nil || !bad[*env.Tenant] {
				continue
			}
			w.Write(sc.Bytes())
			w.WriteByte('\n')
			n++
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("quarantine: read segment %d: %w", s.seq, err)
		}
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("quarantine: %w", err)
	}
	if err := out.Sync(); err != nil {
		return 0, fmt.Errorf("quarantine: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return 0, fmt.Errorf("quarantine: %w", err)
	}
	names := make([]string, 0, len(bad))
	for t := range bad {
		names = append(names, fmt.Sprintf("%q", t))
	}
	slices.Sort(names)
	d.log.Error("freeze: rows moved to quarantine (a tenant name that is not valid, or rows that failed to freeze on their own); other tenants froze", "file", path, "lines", n, "tenants", strings.Join(names, ","))
	d.m.quarantinedRows.WithLabelValues(string(d.name)).Add(float64(n))
	return n, nil
}
