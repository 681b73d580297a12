package watchlist

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

// Limits and defaults.
const (
	// DefaultMaxEntries bounds a list unless its settings say otherwise:
	// a million entries of an indicator feed take ≈150 MB.
	DefaultMaxEntries = 1_000_000
	// MaxKeyLen and MaxValueLen bound what one entry holds.
	MaxKeyLen   = 1024
	MaxValueLen = 4096
	// DefaultSyncInterval is how often entries written by rules are
	// fsynced; API writes are fsynced before they are answered.
	DefaultSyncInterval = time.Second
	// DefaultSweepInterval is how often expired entries are deleted (a
	// lookup never sees an expired entry meanwhile).
	DefaultSweepInterval = 10 * time.Second
)

// Errors.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
	ErrFull     = errors.New("watch-list full")
)

// Options configure a Store. Zero values mean the defaults.
type Options struct {
	// Dir holds the snapshot and the operation log; "" keeps the lists in
	// memory only (hunts, rule tests).
	Dir string
	// MaxEntries is the default bound of a list.
	MaxEntries   int
	SyncInterval time.Duration
	// Registerer takes the store's metrics; nil registers none.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Now is the wall clock (tests); nil means time.Now.
	Now func() time.Time
	// Publisher, on a node with a bus, replicates every write to the
	// other nodes (replica.go); nil keeps the writes local.
	Publisher Publisher
}

// Settings are what a list's owner sets.
type Settings struct {
	Description string `json:"description,omitempty"`
	// TTL is how long an entry lives after it was last written, unless
	// the entry has its own; zero: forever.
	TTL Duration `json:"ttl"`
	// MaxEntries bounds the list; zero: the store's default.
	MaxEntries int `json:"max_entries,omitempty"`
}

// Info describes a list.
type Info struct {
	Tenant string `json:"tenant"`
	Name   string `json:"name"`
	Settings
	Entries int       `json:"entries"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Entry is one key of a list.
type Entry struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
	Count int64  `json:"count"`
	// TTL is the entry's own lifetime, zero: the list's.
	TTL     Duration   `json:"ttl,omitempty"`
	Created time.Time  `json:"created"`
	Updated time.Time  `json:"updated"`
	Expires *time.Time `json:"expires,omitempty"`
}

func (e *Entry) expired(now time.Time) bool { return e.Expires != nil && !now.Before(*e.Expires) }

type listKey struct{ tenant, name string }

type list struct {
	info    Info
	entries map[string]*Entry // by normalised key
}

// Store holds the watch-lists of every tenant. It is safe for concurrent
// use: lookups take a read lock, writes a write lock.
type Store struct {
	opts Options
	log  *slog.Logger
	m    *metrics

	mu    sync.RWMutex
	lists map[listKey]*list
	ops   *opLog
	rep   *replica
}

// Open returns a store, restoring the lists saved under opts.Dir.
func Open(opts Options) (*Store, error) {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = DefaultSyncInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{opts: opts, log: opts.Logger.With("component", "watchlist"), lists: map[listKey]*list{}, rep: newReplica()}
	s.m = newMetrics(opts.Registerer, s)
	if opts.Dir == "" {
		return s, nil
	}
	if err := s.restore(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewMemory returns a store that keeps its lists in memory only.
func NewMemory() *Store {
	s, _ := Open(Options{Logger: slog.New(slog.DiscardHandler)})
	return s
}

// normKey is how keys compare: case-insensitively, like Sigma values.
func normKey(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			return strings.ToLower(k)
		}
	}
	return k
}

func tenantOf(t string) string {
	if t == "" {
		return event.DefaultTenant
	}
	return t
}

// Lookup implements sigma.WatchlistLookup: the live entry of key in the
// tenant's list.
func (s *Store) Lookup(tenant, name, key string) (sigma.WatchlistEntry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := s.lists[listKey{tenantOf(tenant), name}]
	if l == nil {
		return sigma.WatchlistEntry{}, false
	}
	e := l.entries[normKey(key)]
	if e == nil || e.expired(s.opts.Now()) {
		return sigma.WatchlistEntry{}, false
	}
	return sigma.WatchlistEntry{Value: e.Value, Count: e.Count}, true
}

func validKey(k string) error {
	if strings.TrimSpace(k) == "" {
		return fmt.Errorf("%w: empty key", ErrInvalid)
	}
	if len(k) > MaxKeyLen {
		return fmt.Errorf("%w: key of %d bytes, over %d", ErrInvalid, len(k), MaxKeyLen)
	}
	return nil
}

func validName(name string) error {
	if !sigma.ValidWatchlistName(name) {
		return fmt.Errorf("%w: list name %q: use 1-128 letters, digits, '_', '-' or '.'", ErrInvalid, name)
	}
	return nil
}

// ensure returns the list, creating it with default settings; the caller
// holds the write lock.
func (s *Store) ensure(tenant, name string, now time.Time) *list {
	k := listKey{tenant, name}
	l := s.lists[k]
	if l == nil {
		l = &list{info: Info{Tenant: tenant, Name: name, Created: now, Updated: now}, entries: map[string]*Entry{}}
		s.lists[k] = l
		s.logList(l)
	}
	return l
}

func (s *Store) maxOf(l *list) int {
	if l.info.MaxEntries > 0 {
		return l.info.MaxEntries
	}
	return s.opts.MaxEntries
}

// expiry is when an entry written now expires.
func expiry(l *list, e *Entry, now time.Time) *time.Time {
	ttl := time.Duration(e.TTL)
	if ttl == 0 {
		ttl = time.Duration(l.info.TTL)
	}
	if ttl <= 0 {
		return nil
	}
	t := now.Add(ttl)
	return &t
}

// put writes an entry (op add or increment) and logs it; the caller holds
// the write lock.
func (s *Store) put(l *list, key, value string, setValue bool, delta int64, ttl time.Duration, now time.Time) error {
	nk := normKey(key)
	e := l.entries[nk]
	if e == nil || e.expired(now) {
		if e == nil && len(l.entries) >= s.maxOf(l) {
			s.m.rejectedFull.Inc()
			return fmt.Errorf("%w: %s holds %d entries", ErrFull, l.info.Name, len(l.entries))
		}
		e = &Entry{Key: key, Created: now}
		l.entries[nk] = e
	}
	if setValue {
		if len(value) > MaxValueLen {
			return fmt.Errorf("%w: value of %d bytes, over %d", ErrInvalid, len(value), MaxValueLen)
		}
		e.Value = value
	}
	e.Count += delta
	if ttl != 0 {
		e.TTL = Duration(ttl)
	}
	e.Updated = now
	e.Expires = expiry(l, e, now)
	l.info.Updated = now
	s.logEntry(l, e)
	return nil
}

// applyAction writes one rule action as a replicated op; the caller
// holds the write lock.
func (s *Store) applyAction(a *sigma.WatchlistAction, tenant, key string, e *event.Event, now time.Time) {
	o, ok := s.actionOp(a, tenant, key, e, now)
	if !ok {
		return
	}
	if o.Op == opDel {
		if l := s.lists[listKey{tenant, a.List}]; l == nil || l.entries[normKey(key)] == nil {
			return
		}
	}
	if err := s.own(o); err != nil {
		s.logRejected(a.List, err)
	}
}

// actionOp is the op of one rule action (false: none, or rejected and
// logged); the caller holds a lock.
func (s *Store) actionOp(a *sigma.WatchlistAction, tenant, key string, e *event.Event, now time.Time) (Op, bool) {
	o := Op{Tenant: tenant, List: a.List, Key: key, Time: now}
	switch a.Op {
	case sigma.WatchlistAdd, sigma.WatchlistIncrement:
		o.Op = opPut
		o.SetValue = a.Value != "" || a.ValueFrom != ""
		if o.SetValue {
			o.Value = a.ValueOf(e)
			if len(o.Value) > MaxValueLen {
				s.logRejected(a.List, fmt.Errorf("%w: value of %d bytes, over %d", ErrInvalid, len(o.Value), MaxValueLen))
				return o, false
			}
		}
		if a.Op == sigma.WatchlistIncrement {
			o.Delta = a.By
		}
		o.TTL = Duration(a.TTL)
	case sigma.WatchlistRemove:
		o.Op = opDel
	default:
		return o, false
	}
	return o, true
}

// Apply runs the watch-list actions of rule r for an event it matched.
// Entries of the event's tenant are written; an action whose key field
// the event lacks, or whose list is full, is skipped and counted.
func (s *Store) Apply(r *sigma.Rule, e *event.Event) {
	if r.Watchlist == nil {
		return
	}
	tenant := tenantOf(e.Tenant)
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range r.Watchlist.Actions {
		a := &r.Watchlist.Actions[i]
		key, ok := a.KeyOf(e)
		if !ok || validKey(key) != nil {
			s.m.noKey.Inc()
			continue
		}
		s.m.actions.Inc()
		if s.opts.Publisher != nil {
			s.applyAction(a, tenant, key, e, now)
			continue
		}
		switch a.Op {
		case sigma.WatchlistAdd, sigma.WatchlistIncrement:
			// an action without a value keeps the entry's value
			setValue := a.Value != "" || a.ValueFrom != ""
			var delta int64
			if a.Op == sigma.WatchlistIncrement {
				delta = a.By
			}
			l := s.ensure(tenant, a.List, now)
			if err := s.put(l, key, a.ValueOf(e), setValue, delta, a.TTL, now); err != nil {
				s.logRejected(a.List, err)
			}
		case sigma.WatchlistRemove:
			if l := s.lists[listKey{tenant, a.List}]; l != nil {
				s.remove(l, key, now)
			}
		}
	}
}

func (s *Store) logRejected(list string, err error) {
	if n := s.m.rejectedFull.Load(); n == 1 || n%10_000 == 0 {
		s.log.Warn("watch-list write rejected", "list", list, "err", err, "rejected_total", n)
	}
}

func (s *Store) remove(l *list, key string, now time.Time) bool {
	nk := normKey(key)
	if _, ok := l.entries[nk]; !ok {
		return false
	}
	delete(l.entries, nk)
	l.info.Updated = now
	s.logDelete(l, nk)
	return true
}

// Lists returns the lists of a tenant, by name.
func (s *Store) Lists(tenant string) []Info {
	tenant = tenantOf(tenant)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Info
	for k, l := range s.lists {
		if k.tenant == tenant {
			out = append(out, s.infoOf(l))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Store) infoOf(l *list) Info {
	in := l.info
	now := s.opts.Now()
	in.Entries = 0
	for _, e := range l.entries {
		if !e.expired(now) {
			in.Entries++
		}
	}
	if in.MaxEntries == 0 {
		in.MaxEntries = s.opts.MaxEntries
	}
	return in
}

// Get describes one list.
func (s *Store) Get(tenant, name string) (Info, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := s.lists[listKey{tenantOf(tenant), name}]
	if l == nil {
		return Info{}, fmt.Errorf("watch-list %q: %w", name, ErrNotFound)
	}
	return s.infoOf(l), nil
}

// PutList creates a list or changes its settings; created tells which.
func (s *Store) PutList(tenant, name string, set Settings) (info Info, created bool, err error) {
	if err := validName(name); err != nil {
		return Info{}, false, err
	}
	if set.TTL < 0 || set.MaxEntries < 0 {
		return Info{}, false, fmt.Errorf("%w: ttl and max_entries cannot be negative", ErrInvalid)
	}
	tenant = tenantOf(tenant)
	now := s.opts.Now()
	s.mu.Lock()
	_, existed := s.lists[listKey{tenant, name}]
	if s.opts.Publisher != nil {
		err := s.own(Op{Op: opList, Tenant: tenant, List: name, Settings: &set, Time: now})
		info = s.infoOf(s.lists[listKey{tenant, name}])
		s.mu.Unlock()
		return info, !existed, errors.Join(err, s.sync())
	}
	l := s.ensure(tenant, name, now)
	l.info.Settings = set
	l.info.Updated = now
	s.logList(l)
	info = s.infoOf(l)
	s.mu.Unlock()
	return info, !existed, s.sync()
}

// DeleteList deletes a list and its entries.
func (s *Store) DeleteList(tenant, name string) error {
	tenant = tenantOf(tenant)
	s.mu.Lock()
	k := listKey{tenant, name}
	if s.lists[k] == nil {
		s.mu.Unlock()
		return fmt.Errorf("watch-list %q: %w", name, ErrNotFound)
	}
	if s.opts.Publisher != nil {
		err := s.own(Op{Op: opDList, Tenant: tenant, List: name})
		s.mu.Unlock()
		return errors.Join(err, s.sync())
	}
	delete(s.lists, k)
	s.logDeleteList(tenant, name)
	s.mu.Unlock()
	return s.sync()
}

// EntryInput is an entry as the API and imports write it.
type EntryInput struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Count, when given, sets the count.
	Count *int64   `json:"count,omitempty"`
	TTL   Duration `json:"ttl,omitempty"`
}

// PutEntries writes entries to a list, creating the list when it does not
// exist. Either all are written or, on an invalid entry or a full list,
// none.
func (s *Store) PutEntries(tenant, name string, in []EntryInput) error {
	if err := validName(name); err != nil {
		return err
	}
	for i, e := range in {
		if err := validKey(e.Key); err != nil {
			return fmt.Errorf("entry %d: %w", i+1, err)
		}
		if len(e.Value) > MaxValueLen {
			return fmt.Errorf("entry %d: %w: value of %d bytes, over %d", i+1, ErrInvalid, len(e.Value), MaxValueLen)
		}
		if e.TTL < 0 {
			return fmt.Errorf("entry %d: %w: negative ttl", i+1, ErrInvalid)
		}
	}
	tenant = tenantOf(tenant)
	now := s.opts.Now()
	s.mu.Lock()
	l := s.ensure(tenant, name, now)
	fresh := map[string]bool{}
	for _, e := range in {
		nk := normKey(e.Key)
		if old := l.entries[nk]; old == nil || old.expired(now) {
			fresh[nk] = true
		}
	}
	if len(l.entries)+len(fresh) > s.maxOf(l) {
		s.mu.Unlock()
		s.m.rejectedFull.Inc()
		return fmt.Errorf("%w: %s holds %d of %d entries; %d more do not fit", ErrFull, name, len(l.entries), s.maxOf(l), len(fresh))
	}
	if s.opts.Publisher != nil {
		for _, e := range in {
			if err := s.own(Op{Op: opPut, Tenant: tenant, List: name, Key: e.Key, Value: e.Value, SetValue: true,
				Count: e.Count, TTL: e.TTL, Time: now}); err != nil {
				s.mu.Unlock()
				return errors.Join(err, s.sync())
			}
		}
		s.mu.Unlock()
		return s.sync()
	}
	for _, e := range in {
		var delta int64
		if e.Count != nil {
			if old := l.entries[normKey(e.Key)]; old != nil && !old.expired(now) {
				delta = *e.Count - old.Count
			} else {
				delta = *e.Count
			}
		}
		if err := s.put(l, e.Key, e.Value, true, delta, time.Duration(e.TTL), now); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	s.mu.Unlock()
	return s.sync()
}

// GetEntry returns one live entry.
func (s *Store) GetEntry(tenant, name, key string) (Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := s.lists[listKey{tenantOf(tenant), name}]
	if l == nil {
		return Entry{}, fmt.Errorf("watch-list %q: %w", name, ErrNotFound)
	}
	e := l.entries[normKey(key)]
	if e == nil || e.expired(s.opts.Now()) {
		return Entry{}, fmt.Errorf("entry %q of %q: %w", key, name, ErrNotFound)
	}
	return *e, nil
}

// DeleteEntry deletes one entry.
func (s *Store) DeleteEntry(tenant, name, key string) error {
	s.mu.Lock()
	l := s.lists[listKey{tenantOf(tenant), name}]
	if l == nil {
		s.mu.Unlock()
		return fmt.Errorf("watch-list %q: %w", name, ErrNotFound)
	}
	var ok bool
	if s.opts.Publisher != nil {
		if _, ok = l.entries[normKey(key)]; ok {
			if err := s.own(Op{Op: opDel, Tenant: tenantOf(tenant), List: name, Key: key}); err != nil {
				s.mu.Unlock()
				return err
			}
		}
	} else {
		ok = s.remove(l, key, s.opts.Now())
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("entry %q of %q: %w", key, name, ErrNotFound)
	}
	return s.sync()
}

// Entries returns the live entries of a list whose keys start with prefix
// (case-insensitively), sorted by key, at most limit (0: all), and how many
// match in all.
func (s *Store) Entries(tenant, name, prefix string, limit int) ([]Entry, int, error) {
	s.mu.RLock()
	l := s.lists[listKey{tenantOf(tenant), name}]
	if l == nil {
		s.mu.RUnlock()
		return nil, 0, fmt.Errorf("watch-list %q: %w", name, ErrNotFound)
	}
	now := s.opts.Now()
	np := normKey(prefix)
	out := []Entry{}
	for nk, e := range l.entries {
		if !e.expired(now) && strings.HasPrefix(nk, np) {
			out = append(out, *e)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	total := len(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, total, nil
}

// Sweep deletes expired entries and returns how many.
func (s *Store) Sweep() int {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.lists {
		for nk, e := range l.entries {
			if e.expired(now) {
				delete(l.entries, nk)
				n++
			}
		}
	}
	s.m.expired.Add(uint64(n))
	return n
}

// count returns the number of entries held (expired or not).
func (s *Store) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, l := range s.lists {
		n += len(l.entries)
	}
	return n
}
