package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Tenant is the tenant the demo writes to.
const Tenant = "demo"

// Defaults of Config, at speed 1.
const (
	// DefaultRate is the background traffic: a gentle 4 events a second.
	DefaultRate = 4.0
	// DefaultFirstStory is when the first attack story starts, and
	// DefaultStoryEvery how often it is told again.
	DefaultFirstStory = 30 * time.Second
	DefaultStoryEvery = 3 * time.Minute
	// MaxSpeed bounds Config.Speed: at 1000 the background is 4,000
	// events a second, more than a demo needs.
	MaxSpeed = 1000
)

// Config configures a Generator.
type Config struct {
	// Tenant and Source stamp the events; defaults Tenant and "demo".
	Tenant, Source string
	// Speed compresses the schedule and raises the rate by that factor;
	// 0 means 1.
	Speed float64
	// Seed makes the traffic reproducible.
	Seed uint64
}

// Generator produces the demo's records. It is not safe for concurrent
// use.
type Generator struct {
	cfg   Config
	r     *rand.Rand
	start time.Time
	// last is the time background traffic was produced up to; owed the
	// fraction of an event carried to the next step.
	last      time.Time
	owed      float64
	nextStory time.Time
	stories   int
	pending   []pendingStep
}

type pendingStep struct {
	at   time.Time
	step storyStep
	a    attack
}

// New returns a generator.
func New(cfg Config) (*Generator, error) {
	if cfg.Tenant == "" {
		cfg.Tenant = Tenant
	}
	if cfg.Source == "" {
		cfg.Source = "demo"
	}
	if cfg.Speed == 0 {
		cfg.Speed = 1
	}
	if cfg.Speed < 0 || cfg.Speed > MaxSpeed {
		return nil, fmt.Errorf("demo speed %v: want more than 0 and at most %d", cfg.Speed, MaxSpeed)
	}
	return &Generator{cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}, nil
}

func (g *Generator) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / g.cfg.Speed)
}

// Stories is how many attack stories have started.
func (g *Generator) Stories() int { return g.stories }

// Step returns the batches due at now: the background traffic since the
// last step and the story steps whose time has come.
func (g *Generator) Step(now time.Time) []*pipeline.Batch {
	if g.start.IsZero() {
		g.start, g.last = now, now
		g.nextStory = now.Add(g.scaled(DefaultFirstStory))
	}
	out := &emitter{}
	if el := now.Sub(g.last); el > 0 {
		// at most a minute of traffic at once: a machine that slept does
		// not get a flood
		el = min(el, time.Minute)
		g.owed += el.Seconds() * DefaultRate * g.cfg.Speed
		for ; g.owed >= 1; g.owed-- {
			g.background(now, out)
		}
		g.last = now
	}
	for !now.Before(g.nextStory) {
		g.stories++
		a := attack{n: g.stories, ip: fmt.Sprintf("203.0.113.%d", 10+g.stories%100), victim: "10.0.10.5"}
		for _, s := range story {
			g.pending = append(g.pending, pendingStep{at: g.nextStory.Add(g.scaled(s.offset)), step: s, a: a})
		}
		g.nextStory = g.nextStory.Add(g.scaled(DefaultStoryEvery))
	}
	kept := g.pending[:0]
	for _, p := range g.pending {
		if now.Before(p.at) {
			kept = append(kept, p)
			continue
		}
		p.step.run(g, p.a, now, out)
	}
	g.pending = kept
	return out.batches(g.cfg.Tenant, g.cfg.Source, now)
}

// Run submits the batches of Step to in every tick (a second divided by
// the speed, 20 ms at least) until ctx ends; now is the clock.
func (g *Generator) Run(ctx context.Context, in pipeline.Input, now func() time.Time) error {
	tick := max(g.scaled(time.Second), 20*time.Millisecond)
	tick = min(tick, time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		for _, b := range g.Step(now()) {
			if err := in.Submit(ctx, b); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("submit demo events: %w", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// emitter groups records into batches: those of an outside address in a
// batch of their own, which carries the address's location.
type emitter struct {
	order []string
	byIP  map[string][]string
}

func (e *emitter) add(ip, record string) {
	if e.byIP == nil {
		e.byIP = map[string][]string{}
	}
	if _, ok := e.byIP[ip]; !ok {
		e.order = append(e.order, ip)
	}
	e.byIP[ip] = append(e.byIP[ip], record)
}

func (e *emitter) batches(tenant, source string, now time.Time) []*pipeline.Batch {
	var out []*pipeline.Batch
	for _, ip := range e.order {
		b := &pipeline.Batch{Tenant: tenant, Source: source, Received: now}
		if geo := geoFields(ip); geo != nil {
			b.Fields = append([]event.Field{{Name: "source.ip", Value: event.String(ip)}}, geo...)
		}
		for _, rec := range e.byIP[ip] {
			b.Records = append(b.Records, pipeline.Record{Data: []byte(rec)})
		}
		out = append(out, b)
	}
	return out
}
