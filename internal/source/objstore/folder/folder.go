package folder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// Folder is an objstore.Bucket over a directory.
type Folder struct {
	Root      string
	Recursive bool
	// After is keep, delete or move; MoveTo the destination of move.
	After, MoveTo string
	// Marker is the done-marker suffix, finished with its file.
	Marker string
}

// Name implements objstore.Bucket.
func (f *Folder) Name() string { return f.Root }

// List implements objstore.Bucket: every regular file (or link to one),
// whatever after says.
func (f *Folder) List(ctx context.Context, _ string, fn func(objstore.Object) error) error {
	return filepath.WalkDir(f.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == f.Root {
				return fmt.Errorf("list folder: %w", err)
			}
			return nil // a sub-folder that vanished or cannot be read
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if p != f.Root && !f.Recursive {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := os.Stat(p) // follows links
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(f.Root, p)
		if err != nil {
			return nil
		}
		return fn(objstore.Object{Key: filepath.ToSlash(rel), Size: fi.Size(), Modified: fi.ModTime(),
			ETag: strconv.FormatInt(fi.ModTime().UnixNano(), 36) + "-" + strconv.FormatInt(fi.Size(), 36)})
	})
}

func (f *Folder) path(key string) string { return filepath.Join(f.Root, filepath.FromSlash(key)) }

// Open implements objstore.Bucket.
func (f *Folder) Open(_ context.Context, o objstore.Object) (io.ReadCloser, error) {
	return os.Open(f.path(o.Key))
}

// Fields implements objstore.Bucket.
func (f *Folder) Fields(o objstore.Object) []event.Field {
	return []event.Field{{Name: "log.file.path", Value: event.String(f.path(o.Key))}}
}

// Finish implements objstore.Finisher: it deletes or moves the file (and
// its done marker). A file already gone is not an error: Finish may run
// again after a restart.
func (f *Folder) Finish(_ context.Context, o objstore.Object) error {
	keys := []string{o.Key}
	if f.Marker != "" {
		keys = append(keys, o.Key+f.Marker)
	}
	for _, k := range keys {
		src := f.path(k)
		var err error
		switch f.After {
		case AfterDelete:
			err = os.Remove(src)
		case AfterMove:
			err = moveFile(src, filepath.Join(f.MoveTo, filepath.FromSlash(k)))
		default:
			return nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s imported file %s: %w", f.After, k, err)
		}
	}
	return nil
}

// moveFile renames src to dst, creating dst's folder; an existing dst is
// kept and the file gets a time suffix instead.
func moveFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		dst += "." + time.Now().UTC().Format("20060102T150405.000000000")
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return nil
}
