// Package folder owns the folder output: events delivered as rotated
// NDJSON files (optionally gzip) in a folder, one sub-folder per tenant,
// for a customer's tools to pick up.
//
// A reader never sees a partial file: each file is written under a hidden
// temporary name (".NAME.tmp"), fsynced, and renamed into place when it is
// complete; its SHA-256 checksum file (NAME.sha256, in the format
// `sha256sum -c` reads) is renamed into place just before it, so a reader
// that sees the data file finds its checksum. The folder is fsynced after
// the renames, and only then are the events acknowledged to the queue. A
// crash before that leaves a temporary file, which the next start deletes;
// its events are still in the queue and go out again in a new file (a
// receiver drops them by event.id if the crash came after the rename).
//
// File names: PREFIX-YYYYMMDDTHHMMSS.NNNNNNNNNZ-COUNTER.ndjson[.gz], by the
// UTC time the file was started, so names sort in time order. Each line is
// one event as a flat JSON object keyed by ECS field name (event.AppendJSON)
// with its stable event.id.
package folder

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/forward"
)

// Output writes events into rotated files; it is a forward.Flusher.
type Output struct {
	cfg  Config
	log  *slog.Logger
	ext  string
	open map[string]*file // by tenant
	full []*file          // files at a limit, completed at the next Flush
	seq  atomic.Uint64
	line []byte
	now  func() time.Time
}

// file is one file being written.
type file struct {
	dir, name string // final name, in dir
	tmp       string
	f         *os.File
	hash      hash.Hash
	buf       *bufio.Writer
	gz        *gzip.Writer
	bytes     int64 // uncompressed
	events    int
	started   time.Time
}

// New returns a folder output. It deletes the temporary files a killed
// process left under the folder (their events are still queued).
func New(cfg Config, env forward.BuildEnv) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("folder output %s: %w", env.Name, err)
	}
	o := &Output{cfg: cfg, log: env.Logger, ext: ".ndjson", open: map[string]*file{}, now: time.Now}
	if o.log == nil {
		o.log = slog.Default()
	}
	if cfg.Gzip {
		o.ext += ".gz"
	}
	o.sweep()
	return o, nil
}

// sweep removes leftover temporary files of this output's prefix.
func (o *Output) sweep() {
	matches, _ := filepath.Glob(filepath.Join(o.cfg.Path, "*", "."+o.cfg.Prefix+"-*.tmp"))
	for _, m := range matches {
		if err := os.Remove(m); err == nil {
			o.log.Info("removed a partial file left by an earlier run; its events are sent again", "file", m)
		}
	}
}

// Send implements forward.Output: it appends the batch to the tenant's
// open file, starting one if needed.
func (o *Output) Send(_ context.Context, b *forward.Batch) error {
	f, err := o.file(b.Tenant)
	if err != nil {
		return err
	}
	for _, e := range b.Events {
		if o.atLimit(f) {
			// Start the next file; this one is completed at the next
			// Flush, which FlushAt now asks for.
			o.full = append(o.full, f)
			delete(o.open, b.Tenant)
			if f, err = o.file(b.Tenant); err != nil {
				return err
			}
		}
		o.line = append(e.AppendJSON(o.line[:0]), '\n')
		var w io.Writer = f.buf
		if f.gz != nil {
			w = f.gz
		}
		if _, err := w.Write(o.line); err != nil {
			return fmt.Errorf("write %s: %w", f.tmp, err)
		}
		f.bytes += int64(len(o.line))
		f.events++
	}
	return nil
}

func (o *Output) file(tenant string) (*file, error) {
	if f, ok := o.open[tenant]; ok {
		return f, nil
	}
	if _, err := os.Stat(o.cfg.Path); err != nil {
		return nil, fmt.Errorf("folder %s: %w", o.cfg.Path, err)
	}
	dir := filepath.Join(o.cfg.Path, tenantDir(tenant))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create tenant folder: %w", err)
	}
	now := o.now().UTC()
	name := fmt.Sprintf("%s-%s-%06d%s", o.cfg.Prefix, now.Format("20060102T150405.000000000Z"), o.seq.Add(1), o.ext)
	tmp := filepath.Join(dir, "."+name+".tmp")
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create file: %w", err)
	}
	f := &file{dir: dir, name: name, tmp: tmp, f: fh, hash: sha256.New(), started: now}
	f.buf = bufio.NewWriterSize(io.MultiWriter(fh, f.hash), 256<<10)
	if o.cfg.Gzip {
		f.gz = gzip.NewWriter(f.buf)
	}
	o.open[tenant] = f
	return f, nil
}

func (o *Output) atLimit(f *file) bool {
	return f.bytes >= int64(o.cfg.MaxFileBytes) || o.cfg.MaxFileEvents > 0 && f.events >= o.cfg.MaxFileEvents
}

// dueNow is a time long past: FlushAt's answer when a file is full.
var dueNow = time.Unix(0, 0)

// FlushAt implements forward.Flusher: now when a file is full, else when
// the oldest open file reaches its age limit.
func (o *Output) FlushAt() time.Time {
	if len(o.full) > 0 {
		return dueNow
	}
	var at time.Time
	for _, f := range o.open {
		t := f.started.Add(o.cfg.MaxFileAge.D())
		if o.atLimit(f) {
			t = dueNow
		}
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at
}

// Flush implements forward.Flusher: every file is completed and renamed
// into place, then the folders are fsynced. Files not yet at a limit are
// completed too: the batches they hold can be acknowledged only once every
// file holding a part of them is in place.
func (o *Output) Flush(_ context.Context) error {
	dirs := map[string]bool{}
	for len(o.full) > 0 {
		f := o.full[0]
		if err := o.complete(f); err != nil {
			return err
		}
		o.full = o.full[1:]
		dirs[f.dir] = true
	}
	for tenant, f := range o.open {
		if err := o.complete(f); err != nil {
			return err
		}
		delete(o.open, tenant)
		dirs[f.dir] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("sync folder %s: %w", d, err)
		}
	}
	return nil
}

func (o *Output) complete(f *file) error {
	if f.gz != nil {
		if err := f.gz.Close(); err != nil {
			return fmt.Errorf("compress %s: %w", f.tmp, err)
		}
	}
	if err := f.buf.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", f.tmp, err)
	}
	if err := f.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", f.tmp, err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.tmp, err)
	}
	f.f = nil
	sum := hex.EncodeToString(f.hash.Sum(nil)) + "  " + f.name + "\n"
	sumName := filepath.Join(f.dir, f.name+".sha256")
	sumTmp := filepath.Join(f.dir, "."+f.name+".sha256.tmp")
	if err := writeSynced(sumTmp, []byte(sum)); err != nil {
		return err
	}
	if err := os.Rename(sumTmp, sumName); err != nil {
		return fmt.Errorf("rename checksum: %w", err)
	}
	if err := os.Rename(f.tmp, filepath.Join(f.dir, f.name)); err != nil {
		return fmt.Errorf("rename %s: %w", f.tmp, err)
	}
	return nil
}

func writeSynced(name string, data []byte) error {
	fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	_, err = fh.Write(data)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Discard implements forward.Flusher: files not renamed are deleted.
func (o *Output) Discard() {
	for tenant, f := range o.open {
		o.remove(f)
		delete(o.open, tenant)
	}
	for _, f := range o.full {
		o.remove(f)
	}
	o.full = nil
}

func (o *Output) remove(f *file) {
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
	for _, name := range []string{f.tmp, filepath.Join(f.dir, "."+f.name+".sha256.tmp")} {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			o.log.Warn("remove partial file", "file", name, "err", err)
		}
	}
}

// Close implements forward.Output. The runner flushed what it could; what
// is still open was not acknowledged and is discarded.
func (o *Output) Close() error {
	o.Discard()
	return nil
}

// tenantDir escapes a tenant name into a folder name: letters, digits,
// '-', '_' and (after the first byte) '.' stay, every other byte is %XX,
// so a tenant can never name "..", a separator or a hidden folder.
func tenantDir(tenant string) string {
	var b strings.Builder
	for i := 0; i < len(tenant); i++ {
		c := tenant[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
