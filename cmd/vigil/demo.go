package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/demo"
)

// startDemo runs the demo generator into a's pipeline; the function it
// returns stops it and waits.
func startDemo(a *app.App, speed float64, log *slog.Logger) (func(), error) {
	g, err := demo.New(demo.Config{Speed: speed, Seed: uint64(time.Now().UnixNano())})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := g.Run(ctx, a.Input(), time.Now); err != nil {
			log.Error("demo generator stopped", "err", err)
		}
	}()
	log.Info("demo: generating a small company's logs into tenant "+demo.Tenant, "speed", speed,
		"first_attack_in", (time.Duration(float64(demo.DefaultFirstStory) / speed)).String(),
		"attack_every", (time.Duration(float64(demo.DefaultStoryEvery) / speed)).String())
	return func() { cancel(); wg.Wait() }, nil
}
