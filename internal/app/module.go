package app

import (
	"context"
	"fmt"
	"reflect"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Module is one role's part of a node (store, forward, detect, ingest,
// query). New builds the modules of the node's roles in that order — each
// may use what the ones before it built (detection writes its alerts to
// the sink the forward and store modules made) — and the shared parts
// between them (the processors and the pipeline, before ingest); Start
// starts them in that order, Stop and Close go the other way.
//
// The Prometheus pattern for reloads: ApplyConfig hands every module the
// new configuration; each applies what it can change while running and
// returns an error naming what needs a restart, and the node keeps running
// on the rest.
type Module interface {
	// Name is the role's name.
	Name() string
	// Init builds the module's parts; a failing Init leaves the node to
	// Close what the modules before it opened.
	Init(a *App) error
	// Sinks are the module's pipeline sinks. New places them store first,
	// then detection, then delivery, whatever the build order.
	Sinks() []pipeline.Sink
	// Mount lists the module's API handlers; it is called once every
	// module is built.
	Mount(a *App) []api.Mounter
	// Start starts the module's work; long-running parts run under ctx
	// through a.run, which Stop of the node cancels and waits for.
	Start(ctx context.Context, a *App) error
	// Stop finishes what the module holds once the pipeline has stopped
	// (flushes, last writes); it is called only after Start.
	Stop(a *App)
	// Close releases what Init opened (files, databases); it is called
	// after Stop, or after a failed New.
	Close(a *App)
	// ApplyConfig applies cfg, read again on SIGHUP, to the running module.
	ApplyConfig(a *App, cfg *config.Config) error
}

// restartNeeded returns an error when a setting the module cannot change
// while running differs between the running and the new configuration.
func restartNeeded(setting string, running, next any) error {
	if reflect.DeepEqual(running, next) {
		return nil
	}
	return fmt.Errorf("%s changed: restart vigil to apply it", setting)
}
