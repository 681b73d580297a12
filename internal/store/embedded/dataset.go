package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// dataset is one stream of stored records: its catalog, hot log and cold
// files.
type dataset struct {
	name store.Dataset
	dir  string
	cfg  *Options
	log  *slog.Logger
	m    *metrics
	// placeReads counts the pages of events read by place (coldrows.go).
	placeReads atomic.Int64
	// termScans counts the pages of full-text terms found in Go
	// (termscan.go).
	termScans atomic.Int64

	cat  *catalog
	hot  *hotLog
	cold *coldIndex
	// ids are the keys of the hot events: a write drops a replay of one.
	ids *hotIDs
	// chain is the manifest: the hash chain of frozen and deleted files.
	chain *manifest

	// filesMu guards the set of files queries read: a query holds it for
	// reading while it runs; freezing and retention hold it for writing
	// while they delete files.
	filesMu sync.RWMutex
	// freezeMu serialises freezes.
	freezeMu sync.Mutex

	encoders sync.Pool

	// afterSnapshot, when set (by tests), runs after a search has taken
	// its catalog snapshot, before it reads anything.
	afterSnapshot func()
}

func openDataset(name store.Dataset, root string, cfg *Options, log *slog.Logger, m *metrics) (*dataset, error) {
	dir := filepath.Join(root, string(name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create dataset dir: %w", err)
	}
	d := &dataset{name: name, dir: dir, cfg: cfg, log: log.With("dataset", string(name)), m: m}
	var err error
	if d.cat, err = loadCatalog(filepath.Join(dir, "catalog.json"), cfg.Columns, d.log); err != nil {
		return nil, err
	}
	if d.chain, err = openManifest(dir, cfg.Now); err != nil {
		return nil, err
	}
	if d.hot, err = openHotLog(filepath.Join(dir, "hot"), cfg.SegmentBytes, cfg.HotMaxBytes, cfg.SegmentAge, cfg.Now, d.chain.hotChainAt); err != nil {
		return nil, err
	}
	for _, p := range d.hot.damaged {
		d.log.Warn("hot segment fails its checksum at start (changed on disk); the data is kept, vigil verify reports it", "problem", p)
	}
	if d.hot.tornBytes > 0 {
		d.log.Warn("cut a torn tail from the last hot segment (a crash during a write that was never acknowledged)", "bytes", d.hot.tornBytes)
		m.tornBytes.WithLabelValues(string(name)).Add(float64(d.hot.tornBytes))
	}
	d.cat.markAllSeen(d.hot.cur.seq)
	if err := os.RemoveAll(filepath.Join(dir, "tmp")); err != nil {
		return nil, fmt.Errorf("clear tmp: %w", err)
	}
	if d.cold, err = loadColdIndex(filepath.Join(dir, "cold"), d.hot.frozen); err != nil {
		return nil, err
	}
	if err := d.settleChain(); err != nil {
		return nil, err
	}
	d.ids = newHotIDs()
	if err := d.ids.rebuild(d.hot.allSegments()); err != nil {
		return nil, fmt.Errorf("read hot event ids: %w", err)
	}
	d.encoders.New = func() any { return &encoder{cat: d.cat} }
	return d, nil
}

// write encodes events and returns once they are durable.
func (d *dataset) write(events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	var tenants []string
	for i, e := range events {
		if i > 0 && e.Tenant == events[i-1].Tenant {
			continue
		}
		if !store.ValidTenant(e.Tenant) {
			return fmt.Errorf("%w: %q", store.ErrInvalidTenant, e.Tenant)
		}
		if !slices.Contains(tenants, e.Tenant) {
			tenants = append(tenants, e.Tenant)
		}
	}
	enc := d.encoders.Get().(*encoder)
	defer d.encoders.Put(enc)
	d.hot.mu.Lock()
	enc.seq = d.hot.cur.seq
	d.hot.mu.Unlock()
	buf := getBuf()
	defer putBuf(buf)
	enc.gen = 0
	var info batchInfo
	var err error
	keys := getBatchKeys()
	defer putBatchKeys(keys)
	for _, e := range events {
		start := len(*buf)
		if *buf, err = enc.appendEvent(*buf, e, &info); err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		k, ok := lineIDKey((*buf)[start:])
		keys.lines = append(keys.lines, lineKey{start: start, end: len(*buf), key: k, ok: ok})
	}
	// A replay of an event that is hot already is dropped, and
	// acknowledged: its first copy is stored (hotids.go).
	dups := d.ids.markDuplicates(keys)
	if dups > 0 {
		*buf = keys.dropDuplicates(*buf)
		// The time range keeps the dropped lines' times: wider is safe.
		info.rows -= dups
		d.m.duplicateRows.WithLabelValues(string(d.name)).Add(float64(dups))
	}
	if len(*buf) == 0 {
		return nil
	}
	if err := d.hot.append(*buf, info, tenants, enc.gen); err != nil {
		return err
	}
	d.hot.mu.Lock()
	seq := d.hot.cur.seq
	d.hot.mu.Unlock()
	d.ids.add(keys.kept, seq)
	d.m.rows.WithLabelValues(string(d.name)).Add(float64(len(events) - dups))
	d.m.bytes.WithLabelValues(string(d.name)).Add(float64(len(*buf)))
	return nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256<<10); return &b }}

func getBuf() *[]byte { b := bufPool.Get().(*[]byte); *b = (*b)[:0]; return b }

func putBuf(b *[]byte) {
	if cap(*b) <= 16<<20 {
		bufPool.Put(b)
	}
}

// columnsSpec renders the columns parameter of read_ndjson: the envelope,
// cols and the overflow column.
func columnsSpec(cols []*column) string {
	var b strings.Builder
	b.WriteString("{")
	for i, e := range envelopeColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(sqlString(e.name) + ": " + sqlString(e.sqlType))
	}
	for _, col := range cols {
		b.WriteString(", " + sqlString(col.Column) + ": " + sqlString(col.Kinds.sqlType()))
	}
	b.WriteString(", " + sqlString(overflowColumn) + ": 'VARCHAR'")
	b.WriteString("}")
	return b.String()
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func sqlList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = sqlString(p)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// freezeDue reports whether the sealed segments should be frozen now.
func (d *dataset) freezeDue(segs []*segment) bool {
	if len(segs) == 0 {
		return false
	}
	var total int64
	for _, s := range segs {
		total += s.size
	}
	return total >= d.cfg.HotBytes || time.Since(segs[0].created) >= d.cfg.HotAge
}

// freeze moves sealed segments to cold Parquet files. With force, the open
// segment is sealed first and everything is frozen whatever its age.
func (d *dataset) freeze(ctx context.Context, db *sql.DB, force bool) error {
	d.freezeMu.Lock()
	defer d.freezeMu.Unlock()
	age := d.cfg.SegmentAge
	if force {
		age = 0
	}
	if err := d.hot.sealCurrent(age); err != nil {
		return err
	}
	segs := d.hot.sealedSegments()
	if !force && !d.freezeDue(segs) {
		return nil
	}
	for len(segs) > 0 {
		n, rows, size := 0, 0, int64(0)
		for n < len(segs) && (n == 0 || rows+segs[n].info.rows <= d.cfg.FileRows && size+segs[n].size <= d.cfg.FreezeBytes) {
			rows += segs[n].info.rows
			size += segs[n].size
			n++
		}
		if err := d.freezeGroup(ctx, db, segs[:n]); err != nil {
			return err
		}
		segs = segs[n:]
	}
	return nil
}

// freezeGroup freezes consecutive sealed segments into one Parquet file per
// tenant and day, then marks them frozen.
func (d *dataset) freezeGroup(ctx context.Context, db *sql.DB, segs []*segment) error {
	start := time.Now()
	first, last := segs[0].seq, segs[len(segs)-1].seq
	var lines int
	var paths []string
	var hotBytes int64
	for _, s := range segs {
		paths = append(paths, s.path)
		lines += s.info.rows
		hotBytes += s.size
	}
	tmp := filepath.Join(d.dir, "tmp", fmt.Sprintf("s%016d-%016d", first, last))
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("freeze: clear tmp: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	// The segments are read once: the direct writer of every freeze set
	// and the chain check use the same bytes. Read for each (as they
	// were), the copies of a 250,000-row group were half the live heap at
	// the peak of a 1M-event `vigil bench`.
	data, err := readSegments(segs)
	if err != nil {
		return fmt.Errorf("freeze segments %d-%d: %w", first, last, err)
	}
	files, quarantined, err := d.copyFrozen(ctx, db, segs, data, paths, tmp)
	if err != nil {
		return fmt.Errorf("freeze segments %d-%d: %w", first, last, err)
	}
	lines -= quarantined
	copied := time.Since(start)
	var rows int64
	var coldBytes int64
	dups := 0
	for _, f := range files {
		rows += f.Rows
		coldBytes += f.Size
		dups += f.dups
	}
	if dups > 0 {
		lines -= dups
		d.m.duplicateRows.WithLabelValues(string(d.name)).Add(float64(dups))
	}
	if int(rows) != lines {
		// Only a line damaged on disk after its fsync can be unreadable.
		d.log.Error("freeze: some hot lines could not be read and are lost", "segments", fmt.Sprintf("%d-%d", first, last), "lines", lines, "rows", rows)
		d.m.corruptRows.WithLabelValues(string(d.name)).Add(float64(lines - int(rows)))
	}
	rec, err := d.prepareFreeze(segs, data, files)
	if err != nil {
		return fmt.Errorf("freeze segments %d-%d: %w", first, last, err)
	}
	// Publish: move the files into cold/, record them in the manifest,
	// then mark the segments frozen.
	d.filesMu.Lock()
	err = d.publish(files)
	if err == nil {
		err = d.commitFreeze(rec, files)
	}
	if err == nil {
		d.cold.add(files)
		err = d.hot.markFrozen(last)
	}
	if err == nil {
		d.ids.frozen(last)
	}
	d.filesMu.Unlock()
	if err != nil {
		return fmt.Errorf("freeze segments %d-%d: %w", first, last, err)
	}
	os.RemoveAll(tmp)
	d.m.frozenRows.WithLabelValues(string(d.name)).Add(float64(rows))
	d.log.Info("froze hot segments", "segments", fmt.Sprintf("%d-%d", first, last), "rows", rows, "duplicates", dups, "files", len(files),
		"hot_bytes", hotBytes, "cold_bytes", coldBytes, "copy", copied.Round(time.Millisecond), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// readSegments reads the segments a freeze freezes.
func readSegments(segs []*segment) ([][]byte, error) {
	data := make([][]byte, len(segs))
	for i, s := range segs {
		b, err := os.ReadFile(s.path)
		if err != nil {
			return nil, fmt.Errorf("read segment %d: %w", s.seq, err)
		}
		data[i] = b
	}
	return data, nil
}

// describeFrozen finds the files a COPY wrote under tmp and writes their meta.
func (d *dataset) describeFrozen(ctx context.Context, db *sql.DB, tmp string, segs []*segment) ([]*coldFile, error) {
	first, last := segs[0].seq, segs[len(segs)-1].seq
	var files []*coldFile
	err := filepath.WalkDir(tmp, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		parts := strings.Split(rel, string(filepath.Separator))
		if len(parts) != 3 || !strings.HasPrefix(parts[0], "_t=") || !strings.HasPrefix(parts[1], "_d=") {
			return fmt.Errorf("freeze: unexpected file %s", rel)
		}
		tenant, day := strings.TrimPrefix(parts[0], "_t="), strings.TrimPrefix(parts[1], "_d=")
		if !store.ValidTenant(tenant) {
			return fmt.Errorf("freeze: file %s: bad tenant", rel)
		}
		if _, err := time.Parse("2006-01-02", day); err != nil {
			return fmt.Errorf("freeze: file %s: bad day", rel)
		}
		files = append(files, &coldFile{Path: p, Tenant: tenant, Day: day, First: first, Last: last})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, f := range files {
		if err := d.describe(ctx, db, f, segs); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// describe fills the meta of a cold file that DuckDB's COPY wrote: counts,
// time range, columns and the token filter, and writes it beside the file.
func (d *dataset) describe(ctx context.Context, db *sql.DB, f *coldFile, segs []*segment) error {
	src := "read_parquet(" + sqlString(f.Path) + ")"
	var minT, maxT sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT count(*), min("@timestamp"), max("@timestamp") FROM `+src).Scan(&f.Rows, &minT, &maxT); err != nil {
		return fmt.Errorf("describe %s: %w", f.Path, err)
	}
	f.Min, f.Max = minT.Time.UTC(), maxT.Time.UTC()
	f.Columns = map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM `+src+`)`)
	if err != nil {
		return fmt.Errorf("describe %s: %w", f.Path, err)
	}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		f.Columns[name] = typ
	}
	rows.Close()
	if f.Tokens, err = fileTokens(ctx, db, f.Path); err != nil {
		return fmt.Errorf("describe %s: %w", f.Path, err)
	}
	f.TokenCount = f.Tokens.n
	return d.writeMeta(f, segs)
}

// fileTokens builds the token filter of a cold file without blocks from
// the file: the tokens of each row's event.original and, when it is not
// part of the original, its message, as the direct writer's blocks hold
// them (blockTokens). Only files that DuckDB's COPY wrote (a freeze's
// fallback) need it, so the write path builds no token index: that took
// 42% of the encoder's CPU (BenchmarkEncode).
func fileTokens(ctx context.Context, db *sql.DB, path string) (*bloom, error) {
	rs, err := db.QueryContext(ctx, `SELECT coalesce("event.original", ''), coalesce(message, '') FROM read_parquet(`+sqlString(path)+`)`)
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	defer rs.Close()
	var tz tokenizer
	var hashes []uint64
	for n := 0; rs.Next(); n++ {
		if n%blockTokenRows == 0 {
			// The tokenizer's set keeps a token once per run of rows; a
			// sort now and then bounds the list by the distinct tokens.
			tz.reset()
			if len(hashes) > 1<<20 {
				slices.Sort(hashes)
				hashes = slices.Compact(hashes)
			}
		}
		var orig, msg string
		if err := rs.Scan(&orig, &msg); err != nil {
			return nil, fmt.Errorf("read tokens: %w", err)
		}
		hashes = tz.addText(hashes, orig)
		if msg != "" && !strings.Contains(orig, msg) {
			hashes = tz.addText(hashes, msg)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	b := newBloom(len(hashes))
	for _, h := range hashes {
		b.add(h)
	}
	b.n = len(hashes)
	return b, nil
}

// blockTokenRows is how many rows fileTokens reads between two resets of
// its tokenizer's set.
const blockTokenRows = 4096

// writeMeta fills the receive times of a described cold file, writes its
// meta beside it and syncs the file.
func (d *dataset) writeMeta(f *coldFile, segs []*segment) error {
	f.ReceivedMin, f.ReceivedMax = receivedRange(segs)
	for _, b := range f.Blocks {
		b.Tokens.encode()
		defer func() { b.Tokens.Bits = "" }()
		for _, p := range b.Parts {
			p.encode()
			defer func() { p.Bits = "" }()
		}
	}
	if b := f.Tokens; b != nil {
		b.encode()
		defer func() { b.Bits = "" }()
	}
	if err := writeFileAtomic(f.Path+".meta", compressMeta(metaJSON(f))); err != nil {
		return fmt.Errorf("write meta of %s: %w", f.Path, err)
	}
	st, err := os.Stat(f.Path)
	if err != nil {
		return err
	}
	f.Size = st.Size()
	return syncFile(f.Path)
}

// publish renames frozen files into cold/<tenant>/<day>/.
func (d *dataset) publish(files []*coldFile) error {
	n := map[string]int{}
	dirs := map[string]bool{}
	for _, f := range files {
		dayDir := filepath.Join(d.cold.dir, f.Tenant, f.Day)
		if err := os.MkdirAll(dayDir, 0o700); err != nil {
			return err
		}
		dest := filepath.Join(dayDir, coldName(f.First, f.Last, n[dayDir]))
		n[dayDir]++
		if err := os.Rename(f.Path+".meta", dest+".meta"); err != nil {
			return err
		}
		if err := os.Rename(f.Path, dest); err != nil {
			return err
		}
		f.Path = dest
		dirs[dayDir] = true
		dirs[filepath.Dir(dayDir)] = true
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// hotSource returns the SQL of the hot part of a query's relation for one
// tenant, reading the given columns, or "" when there is no hot data.
func (d *dataset) hotSource(segs []segment, tenant string, cols []*column) string {
	if len(segs) == 0 {
		return ""
	}
	paths := make([]string, len(segs))
	for i, s := range segs {
		paths[i] = s.path
	}
	return fmt.Sprintf(`SELECT * FROM read_ndjson(%s, columns = %s, format = 'newline_delimited', ignore_errors = true, maximum_object_size = 67108864) WHERE "@timestamp" IS NOT NULL AND "vigil.tenant" = %s`,
		sqlList(paths), columnsSpec(cols), sqlString(tenant))
}
