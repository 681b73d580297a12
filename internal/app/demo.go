package app

import "github.com/vigilsiem/vigil/internal/pipeline"

// Input is where events enter the pipeline, for in-process generators
// (`vigil serve --demo`, package demo). Valid after New.
func (a *App) Input() pipeline.Input { return a.pipe }
