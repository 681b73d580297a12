package assets

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/enrich/internal/watch"
	"github.com/vigilsiem/vigil/internal/event"
)

// DefaultCheckInterval is how often Run polls the inventory files.
const DefaultCheckInterval = 30 * time.Second

// Options configure an Enricher.
type Options struct {
	// Hosts and Users are inventory files (CSV or JSON).
	Hosts, Users []string
	// CheckInterval is how often Run polls them; default DefaultCheckInterval.
	CheckInterval time.Duration
	// Logger reports reloads; nil means slog.Default().
	Logger *slog.Logger
}

// Enricher adds asset and identity context to events. It is safe for
// concurrent use.
type Enricher struct {
	opts  Options
	inv   atomic.Pointer[Inventory]
	files *watch.Files
	log   *slog.Logger
	mu    sync.Mutex
}

// New loads the inventories; a file that cannot be read or parsed is an
// error.
func New(opts Options) (*Enricher, error) {
	if len(opts.Hosts) == 0 && len(opts.Users) == 0 {
		return nil, errors.New("assets: no inventory configured")
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultCheckInterval
	}
	a := &Enricher{opts: opts, log: opts.Logger, files: watch.New(append(append([]string(nil), opts.Hosts...), opts.Users...)...)}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.files.MarkCurrent()
	inv, err := Load(opts.Hosts, opts.Users)
	if err != nil {
		return nil, err
	}
	a.inv.Store(inv)
	return a, nil
}

// Name implements pipeline.Processor.
func (a *Enricher) Name() string { return "enrich_assets" }

// Inventory returns the inventory in use.
func (a *Enricher) Inventory() *Inventory { return a.inv.Load() }

// Run polls the inventory files and reloads them when they change, until
// ctx ends.
func (a *Enricher) Run(ctx context.Context) {
	watch.Every(ctx, a.opts.CheckInterval, func() { _, _ = a.Reload() })
}

// Reload reloads the inventories when a file changed and then stayed the
// same for a poll. A file that fails to load keeps the old inventory.
func (a *Enricher) Reload() (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.files.Check() {
		return false, nil
	}
	inv, err := Load(a.opts.Hosts, a.opts.Users)
	if err != nil {
		a.log.Error("asset inventory reload failed; keeping the loaded one", "err", err)
		return false, err
	}
	a.files.Loaded()
	a.inv.Store(inv)
	a.log.Info("asset inventory reloaded", "hosts", inv.Hosts(), "users", inv.Users())
	return true, nil
}

// Process implements pipeline.Processor.
func (a *Enricher) Process(_ context.Context, events []*event.Event) []*event.Event {
	inv := a.inv.Load()
	if inv.Empty() {
		return events
	}
	for _, e := range events {
		enrich(inv, e)
	}
	return events
}

// Enrich adds context to one event.
func (a *Enricher) Enrich(e *event.Event) { enrich(a.inv.Load(), e) }

func enrich(inv *Inventory, e *event.Event) {
	var hostName, hostHostname, userName, targetUser string
	var hostIP, srcIP, dstIP event.Value
	for i := range e.Fields {
		f := &e.Fields[i]
		switch f.Name {
		case "host.name":
			hostName = f.Value.Str()
		case "host.hostname":
			hostHostname = f.Value.Str()
		case "host.ip":
			hostIP = f.Value
		case "source.ip":
			srcIP = f.Value
		case "destination.ip":
			dstIP = f.Value
		case "user.name":
			userName = f.Value.Str()
		case "winlog.event_data.TargetUserName":
			targetUser = f.Value.Str()
		}
	}
	rank := -1
	var host *Asset
	if inv.hosts > 0 {
		host = inv.HostByName(hostName)
		if host == nil {
			host = inv.HostByName(hostHostname)
		}
		if host == nil {
			host = byIP(inv, hostIP)
		}
		src, dst := byIP(inv, srcIP), byIP(inv, dstIP)
		for i, as := range [3]*Asset{host, src, dst} {
			if as == nil {
				continue
			}
			for _, f := range as.fields[i] {
				e.Set(f.Name, f.Value)
			}
			rank = max(rank, as.rank)
		}
	}
	if len(inv.users) > 0 {
		name := userName
		if name == "" {
			name = targetUser
		}
		if u := inv.User(name); u != nil {
			for _, f := range u.fields {
				e.Set(f.Name, f.Value)
			}
			for _, f := range u.ecs {
				if !e.Has(f.Name) {
					e.Set(f.Name, f.Value)
				}
			}
			rank = max(rank, u.rank)
		}
	}
	if rank >= 0 {
		e.Set(FieldCriticality, event.String(Criticalities[rank]))
	}
}

// byIP finds the asset of an IP value (an IP, a string holding one, or
// the first address of a list that has an asset).
func byIP(inv *Inventory, v event.Value) *Asset {
	switch v.Kind() {
	case event.KindIP, event.KindString:
		if a, ok := v.Addr(); ok {
			return inv.HostByIP(a)
		}
	case event.KindList:
		for _, s := range v.List() {
			if a, err := netip.ParseAddr(s); err == nil {
				if h := inv.HostByIP(a.Unmap()); h != nil {
					return h
				}
			}
		}
	}
	return nil
}
