package app

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/rules"
)

// InstalledRulesDir is where `vigil rules install` puts rule packages
// under the data directory; serve loads (and reloads) every rule below it.
func InstalledRulesDir(dataDir string) string { return filepath.Join(dataDir, "rules") }

// RuleTogglesFile is where the rules switched off per tenant are kept
// (docs/format/rule-toggles.md).
func RuleTogglesFile(dataDir string) string {
	return filepath.Join(dataDir, "state", "rules", "disabled.json")
}

// ruleSources are the rules serve runs: the built-in pack (unless turned
// off), the installed packages and the configured directories, with the
// configuration's enable/disable selection.
func ruleSources(cfg *config.Config) (dirs []string, builtin fs.FS, sc sigma.Config, err error) {
	if cfg.Rules.BuiltinOn() {
		builtin = rules.Builtin()
	}
	inst := InstalledRulesDir(cfg.DataDir)
	if err := os.MkdirAll(inst, 0o750); err != nil {
		return nil, nil, sc, fmt.Errorf("create installed rules directory: %w", err)
	}
	dirs = append([]string{inst}, cfg.Rules.Dirs...)
	conv := func(list []config.RuleSelector) []detect.Selector {
		out := make([]detect.Selector, len(list))
		for i, s := range list {
			out[i] = detect.Selector{ID: s.ID, Tag: s.Tag, Level: s.Level, Path: s.Path}
		}
		return out
	}
	if sc.Keep, err = detect.KeepFunc(conv(cfg.Rules.Enable), conv(cfg.Rules.Disable)); err != nil {
		return nil, nil, sc, err
	}
	return dirs, builtin, sc, nil
}
