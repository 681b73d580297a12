package forward

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/queue"
)

// Env is what a Manager needs from the running process.
type Env struct {
	// DataDir is Vigil's data directory: queues live in DataDir/queue/<output>.
	DataDir string
	// Registerer receives the queue, output and route metrics; nil: none.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// QueueFS replaces the queues' file system (tests); nil: the OS's.
	QueueFS queue.FS
}

// Manager runs delivery: the outputs with their queues and runners, and
// the router that feeds them.
type Manager struct {
	outputs []*managedOutput
	router  *Router
	log     *slog.Logger
	health  chan struct{} // a queue's health level changed

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type managedOutput struct {
	name, typ string
	set       *queue.Set
	out       Output
	run       *runner
	st        *stats
}

// New opens every output's queue, builds the outputs (from their
// registered config types, which implement Builder) and compiles the
// routes. Start starts delivery; the router takes events at once.
func New(outputs []config.Output, routes []config.Route, env Env) (*Manager, error) {
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	m := &Manager{log: env.Logger.With("component", "forward"), health: make(chan struct{}, 1)}
	ok := false
	defer func() {
		if !ok {
			m.closeAll()
		}
	}()
	met := newMetrics(env.Registerer)
	var names []string
	var appenders []Appender
	for _, oc := range outputs {
		com := oc.CommonOutput()
		b, isBuilder := oc.OutputConfig.(Builder)
		if !isBuilder {
			return nil, fmt.Errorf("output %s: type %s cannot be built (bug: its config does not implement forward.Builder)", com.Name, com.Type)
		}
		o, err := m.open(com, b, env)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", com.Name, err)
		}
		m.outputs = append(m.outputs, o)
		names = append(names, o.name)
		appenders = append(appenders, o.set)
	}
	r, err := newRouter(routes, names, appenders, met)
	if err != nil {
		return nil, err
	}
	m.router = r
	if env.Registerer != nil {
		if err := env.Registerer.Register(newOutputCollector(m)); err != nil {
			return nil, fmt.Errorf("register output metrics: %w", err)
		}
	}
	for _, o := range m.outputs {
		used := false
		for _, rc := range routes {
			for _, n := range rc.Outputs {
				used = used || n == o.name
			}
		}
		if !used {
			m.log.Warn("no route feeds this output; it only drains what its queue already holds", "output", o.name)
		}
	}
	ok = true
	return m, nil
}

func (m *Manager) open(com *config.OutputCommon, b Builder, env Env) (*managedOutput, error) {
	sync, err := queue.ParseSyncPolicy(com.Queue.Sync)
	if err != nil {
		return nil, err
	}
	opts := queue.SetOptions{Options: queue.Options{
		Output:   com.Name,
		Sync:     sync,
		MaxAge:   com.Queue.MaxAge.D(),
		MaxBytes: int64(com.Queue.MaxBytes),
		Logger:   env.Logger,
		FS:       env.QueueFS,
		OnHealth: func(queue.Status) { m.wakeHealth() },
	}}
	for t, l := range com.Queue.Tenants {
		if opts.Tenants == nil {
			opts.Tenants = map[string]queue.Limits{}
		}
		opts.Tenants[t] = queue.Limits{MaxAge: l.MaxAge.D(), MaxBytes: int64(l.MaxBytes)}
	}
	set, err := queue.OpenSet(filepath.Join(env.DataDir, "queue", com.Name), opts, env.Registerer)
	if err != nil {
		return nil, err
	}
	out, err := b.NewOutput(BuildEnv{Name: com.Name, DataDir: env.DataDir, Logger: env.Logger.With("output", com.Name)})
	if err != nil {
		set.Close()
		return nil, err
	}
	st := &stats{}
	run := newRunner(com.Name, set, out, RunnerConfig{
		MaxEvents:       com.Batch.MaxEvents,
		MaxBytes:        int(com.Batch.MaxBytes),
		Linger:          com.Batch.Linger.D(),
		Backoff:         Backoff{Initial: com.Retry.Initial.D(), Max: com.Retry.Max.D(), Jitter: jitter(com.Retry.Jitter)},
		EventsPerSecond: com.Throttle.EventsPerSecond,
		BytesPerSecond:  float64(com.Throttle.BytesPerSecond),
		Logger:          env.Logger,
	}, st)
	return &managedOutput{name: com.Name, typ: com.Type, set: set, out: out, run: run, st: st}, nil
}

func jitter(j *float64) float64 {
	if j == nil {
		return config.DefaultRetryJitter
	}
	return *j
}

// Sink is the routing step, a pipeline.Sink to place after the store sink.
func (m *Manager) Sink() pipeline.Sink { return m.router }

// AlertSink returns a sink that writes alerts to next (the alert store;
// nil for none) and then queues them for the routes that take alerts.
func (m *Manager) AlertSink(next alert.Sink) alert.Sink {
	return alertSink{next: next, router: m.router}
}

// Start starts one runner per output.
func (m *Manager) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	for _, o := range m.outputs {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			o.run.run(ctx)
		}()
	}
}

// Stop stops the runners (a folder output completes its open files), then
// closes the outputs and the queues. Stop the pipeline first: the router
// must not be writing.
func (m *Manager) Stop() error {
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	return m.closeAll()
}

func (m *Manager) closeAll() error {
	var errs []error
	for _, o := range m.outputs {
		if err := o.out.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close output %s: %w", o.name, err))
		}
		if err := o.set.Close(); err != nil && !errors.Is(err, queue.ErrClosed) {
			errs = append(errs, fmt.Errorf("close queue of output %s: %w", o.name, err))
		}
	}
	return errors.Join(errs...)
}

// Status returns every output's status, in configuration order.
func (m *Manager) Status() []OutputStatus {
	now := time.Now()
	out := make([]OutputStatus, 0, len(m.outputs))
	for _, o := range m.outputs {
		out = append(out, o.status(now))
	}
	return out
}

func (m *Manager) wakeHealth() {
	select {
	case m.health <- struct{}{}:
	default:
	}
}
