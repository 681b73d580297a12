package queue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// memFS is an in-memory FS that remembers what was synced, after pebble's
// strict MemFS: crash turns every file back into what an fsync made
// durable (plus, at random, a prefix of what was written after it: a torn
// write), and the directory back into what SyncDir made durable. It also
// injects faults: inject, when set, may fail any operation.
type memFS struct {
	mu      sync.Mutex
	files   map[string]*memNode // the namespace as the process sees it
	durable map[string]*memNode // the namespace as of the last SyncDir
	epoch   int                 // handles from before a crash fail
	inject  func(op, name string) error
	ops     map[string]int // count per operation, for tests of group commit
}

type memNode struct {
	data, synced []byte
}

var errCrashed = errors.New("memfs: file handle from before a crash")

func newMemFS() *memFS {
	return &memFS{files: map[string]*memNode{}, durable: map[string]*memNode{}, ops: map[string]int{}}
}

func (m *memFS) fault(op, name string) error {
	m.ops[op]++
	if m.inject != nil {
		if err := m.inject(op, name); err != nil {
			return &fs.PathError{Op: op, Path: name, Err: err}
		}
	}
	return nil
}

func (m *memFS) count(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops[op]
}

func (m *memFS) setInject(f func(op, name string) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inject = f
}

func (m *memFS) OpenFile(name string, flag int, _ fs.FileMode) (File, error) {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fault("open", name); err != nil {
		return nil, err
	}
	n, ok := m.files[name]
	switch {
	case ok && flag&os.O_EXCL != 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	case !ok && flag&os.O_CREATE == 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case !ok:
		n = &memNode{}
		m.files[name] = n
	}
	return &memFile{fs: m, node: n, name: name, epoch: m.epoch, readOnly: flag&(os.O_RDWR|os.O_WRONLY) == 0}, nil
}

func (m *memFS) Remove(name string) error {
	name = filepath.Clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fault("remove", name); err != nil {
		return err
	}
	if _, ok := m.files[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

func (m *memFS) ReadDir(dir string) ([]string, error) {
	dir = filepath.Clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fault("readdir", dir); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for name := range m.files {
		if rest, ok := strings.CutPrefix(name, dir+"/"); ok {
			seen[strings.SplitN(rest, "/", 2)[0]] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// MkdirAll is a no-op: directories exist implicitly and durably.
func (m *memFS) MkdirAll(string, fs.FileMode) error { return nil }

func (m *memFS) SyncDir(dir string) error {
	dir = filepath.Clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fault("syncdir", dir); err != nil {
		return err
	}
	inDir := func(name string) bool {
		rest, ok := strings.CutPrefix(name, dir+"/")
		return ok && !strings.Contains(rest, "/")
	}
	for name := range m.durable {
		if inDir(name) {
			delete(m.durable, name)
		}
	}
	for name, n := range m.files {
		if inDir(name) {
			m.durable[name] = n
		}
	}
	return nil
}

// crash simulates a power failure: only durable names survive, each with
// its synced content, or (when torn is true, at random) that content with a
// prefix of the later writes laid over it.
func (m *memFS) crash(rng *rand.Rand, torn bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	files := map[string]*memNode{}
	for name, n := range m.durable {
		c := append([]byte(nil), n.synced...)
		if torn && rng.IntN(2) == 0 && !bytes.Equal(n.data, n.synced) {
			p := 0
			for p < len(n.data) && p < len(n.synced) && n.data[p] == n.synced[p] {
				p++
			}
			k := p + rng.IntN(len(n.data)-p+1)
			c = append(append([]byte(nil), n.data[:k]...), c[min(k, len(c)):]...)
		}
		nn := &memNode{data: c, synced: append([]byte(nil), c...)}
		files[name] = nn
	}
	m.files = files
	m.durable = map[string]*memNode{}
	for k, v := range files {
		m.durable[k] = v
	}
	m.epoch++
}

// killProcess simulates kill -9: the OS keeps every write, only the
// process's handles die.
func (m *memFS) killProcess() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.epoch++
}

// corrupt flips a byte of the named file (content as the process sees it,
// and durably).
func (m *memFS) corrupt(name string, off int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.files[filepath.Clean(name)]
	n.data[off] ^= 0xff
	if off < len(n.synced) {
		n.synced[off] ^= 0xff
	}
}

func (m *memFS) content(name string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.files[filepath.Clean(name)]
	if !ok {
		return nil
	}
	return append([]byte(nil), n.data...)
}

type memFile struct {
	fs       *memFS
	node     *memNode
	name     string
	epoch    int
	readOnly bool
	closed   bool
}

func (f *memFile) check(op string) error {
	if f.closed {
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	}
	if f.epoch != f.fs.epoch {
		return &fs.PathError{Op: op, Path: f.name, Err: errCrashed}
	}
	return f.fs.fault(op, f.name)
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("read"); err != nil {
		return 0, err
	}
	if off >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.readOnly {
		return 0, fmt.Errorf("memfs: write to read-only %s", f.name)
	}
	if err := f.check("write"); err != nil {
		// A failed write may still have written part of the data, as a
		// real one out of space may.
		if h := len(p) / 2; h > 0 && f.epoch == f.fs.epoch && !f.closed {
			f.writeLocked(p[:h], off)
			return h, err
		}
		return 0, err
	}
	f.writeLocked(p, off)
	return len(p), nil
}

func (f *memFile) writeLocked(p []byte, off int64) {
	if end := off + int64(len(p)); end > int64(len(f.node.data)) {
		f.node.data = append(f.node.data, make([]byte, end-int64(len(f.node.data)))...)
	}
	copy(f.node.data[off:], p)
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("truncate"); err != nil {
		return err
	}
	if size <= int64(len(f.node.data)) {
		f.node.data = f.node.data[:size]
	} else {
		f.node.data = append(f.node.data, make([]byte, size-int64(len(f.node.data)))...)
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("stat"); err != nil {
		return 0, err
	}
	return int64(len(f.node.data)), nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("sync"); err != nil {
		return err
	}
	f.node.synced = append(f.node.synced[:0], f.node.data...)
	return nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	f.closed = true
	return nil
}
