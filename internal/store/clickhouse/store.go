package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/store"
)

// maxInsertBytes bounds one INSERT request: ClickHouse parses a
// JSONEachRow body as it streams, but a smaller body fails and is retried
// sooner, and 16 MiB is tens of thousands of events: one part each.
const maxInsertBytes = 16 << 20

// Options configure the store.
type Options struct {
	// URL is ClickHouse's HTTP interface, such as http://127.0.0.1:8123.
	URL string
	// Database holds the tables; it is created when missing. Default vigil.
	Database string
	// User and Password authenticate (HTTP basic); the password is never
	// logged or put in an error.
	User, Password string
	// Timeout bounds each write (default 60s).
	Timeout time.Duration
	// QueryTimeout bounds a search that does not set its own
	// (store.Request.Timeout); default store.DefaultQueryTimeout, as the
	// embedded store. ClickHouse is told too (max_execution_time).
	QueryTimeout time.Duration
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Cluster lays the event tables out over a ClickHouse cluster
	// (cluster.go); its zero value keeps them on the one server.
	Cluster Cluster
}

var databaseRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Store is the ClickHouse backend. It is safe for concurrent use.
type Store struct {
	c    *client
	db   string
	log  *slog.Logger
	opts Options
	cat  catalog
	// version is the server's version, such as 18.16.1.
	version string
	// cluster is opts.Cluster checked; nodeClients talk to its Nodes.
	cluster     Cluster
	nodeClients []*client
	// shards are the cluster's shards when inserts go to their local
	// tables (Cluster.InsertLocal), nil otherwise.
	shards []*shard
}

// Open connects to ClickHouse, creates the database and tables when
// missing, and reads the field catalog.
func Open(ctx context.Context, opts Options) (*Store, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("open clickhouse store: url %q: want http(s)://host:port", redactedURL(opts.URL))
	}
	if u.User != nil {
		return nil, errors.New("open clickhouse store: url must not carry credentials: use user and password_file")
	}
	if opts.Database == "" {
		opts.Database = "vigil"
	}
	if !databaseRE.MatchString(opts.Database) {
		return nil, fmt.Errorf("open clickhouse store: database %q: want letters, digits and '_'", opts.Database)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = store.DefaultQueryTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.Cluster.Nodes = slices.Clone(opts.Cluster.Nodes)
	if err := opts.Cluster.check(); err != nil {
		return nil, fmt.Errorf("open clickhouse store: %w", err)
	}
	s := &Store{
		c:       &client{base: u, user: opts.User, password: opts.Password, http: &http.Client{}},
		db:      opts.Database,
		log:     opts.Logger,
		opts:    opts,
		cluster: opts.Cluster,
	}
	if opts.Cluster.Name != "" {
		// A write returns when its rows are on their shards, as on one
		// server, rather than queued on this server's disk.
		s.c.insertSettings = url.Values{"insert_distributed_sync": {"1"}}
		s.openNodes()
	}
	octx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	ctx = octx
	res, err := s.c.query(ctx, "SELECT version()")
	if err != nil {
		return nil, fmt.Errorf("open clickhouse store: %w", err)
	}
	if len(res.Data) == 1 && len(res.Data[0]) == 1 {
		s.version = trimQuotes(string(res.Data[0][0]))
	}
	if err := s.createSchema(ctx); err != nil {
		return nil, fmt.Errorf("open clickhouse store: %w", err)
	}
	if s.cluster.InsertLocal {
		if err := s.findShards(ctx); err != nil {
			return nil, fmt.Errorf("open clickhouse store: %w", err)
		}
	}
	if _, err := s.loadCatalog(ctx); err != nil {
		return nil, fmt.Errorf("open clickhouse store: %w", err)
	}
	s.log.Info("clickhouse store open", "url", u.Redacted(), "database", s.db, "server_version", s.version,
		"cluster", s.cluster.Name, "replicated", s.cluster.Replicated, "nodes", len(s.cluster.Nodes))
	return s, nil
}

func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// Version is the server's version string.
func (s *Store) Version() string { return s.version }

// Name implements store.Store.
func (s *Store) Name() string { return "store" }

// Write implements store.Store: the events are in ClickHouse when it
// returns. Writing the same events again (a retry) stores them once.
func (s *Store) Write(ctx context.Context, events []*event.Event) error {
	if err := s.write(ctx, store.Events, events); err != nil {
		return fmt.Errorf("store events: %w", err)
	}
	return nil
}

// WriteDeadLetters implements store.Store.
func (s *Store) WriteDeadLetters(ctx context.Context, letters []pipeline.DeadLetter) error {
	events := make([]*event.Event, len(letters))
	for i, dl := range letters {
		// The same record as the embedded store keeps (one definition).
		events[i] = store.DeadLetterEvent(dl)
	}
	if err := s.write(ctx, store.DeadLetters, events); err != nil {
		return fmt.Errorf("store dead letters: %w", err)
	}
	return nil
}

// WriteAudit stores audit entries.
func (s *Store) WriteAudit(ctx context.Context, events []*event.Event) error {
	if err := s.write(ctx, store.Audit, events); err != nil {
		return fmt.Errorf("store audit entries: %w", err)
	}
	return nil
}

func (s *Store) write(ctx context.Context, d store.Dataset, events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	for _, e := range events {
		if !store.ValidTenant(e.Tenant) {
			return fmt.Errorf("%w: %q", store.ErrInvalidTenant, e.Tenant)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := s.note(ctx, d, events); err != nil {
		return err
	}
	if s.shards != nil {
		return s.writeLocal(ctx, d, events)
	}
	var b []byte
	var w rowEncoder
	for _, e := range events {
		b = w.append(b, e)
		if len(b) >= maxInsertBytes {
			if err := s.c.insert(ctx, s.table(d), b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if len(b) > 0 {
		return s.c.insert(ctx, s.table(d), b)
	}
	return nil
}

// Close implements store.Store; every write has already returned, so
// there is nothing to flush.
func (s *Store) Close() error {
	s.c.http.CloseIdleConnections()
	return nil
}
