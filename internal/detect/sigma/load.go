package sigma

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FileError is a rule file, or one rule of it, that could not be loaded or
// compiled.
type FileError struct {
	Path string
	// ID and Title identify the rule when it could be read.
	ID, Title string
	Err       error
}

func (e *FileError) Error() string {
	if e.ID != "" || e.Title != "" {
		return fmt.Sprintf("%s (%s %q): %v", e.Path, e.ID, e.Title, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// IsRuleFile reports whether a path names a rule file (.yml or .yaml).
func IsRuleFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yml" || ext == ".yaml"
}

// IsRuleTestFile reports whether a path names a rule unit-test file
// (`vigil rules test`): a .yml or .yaml file whose name ends in _test.
func IsRuleTestFile(path string) bool {
	if !IsRuleFile(path) {
		return false
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return strings.HasSuffix(base, "_test")
}

// RuleFiles lists the rule files below each path (a path may also be a
// file), sorted, without duplicates. Rule unit-test files (*_test.yml)
// found in directories are left out, so tests can sit next to the rules
// they test.
func RuleFiles(paths ...string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("rules %s: %w", root, err)
		}
		if !st.IsDir() {
			if !seen[root] {
				seen[root] = true
				out = append(out, root)
			}
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if IsRuleFile(p) && !IsRuleTestFile(p) && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk rules %s: %w", root, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// LoadFile parses one rule file. It returns the rules that parsed and a
// *FileError per document that did not.
func LoadFile(path string) ([]*Rule, []error) {
	return loadSource(ruleSource{path: path, read: func() ([]byte, error) { return os.ReadFile(path) }})
}

func loadSource(src ruleSource) ([]*Rule, []error) {
	path := src.path
	data, err := src.read()
	if err != nil {
		return nil, []error{&FileError{Path: path, Err: fmt.Errorf("read rule file: %w", err)}}
	}
	rules, perrs := Parse(data)
	for _, r := range rules {
		r.Path = path
	}
	var errs []error
	for _, e := range perrs {
		fe := &FileError{Path: path, Err: e}
		var pe *ParseError
		if errors.As(e, &pe) {
			fe.ID, fe.Title, fe.Err = pe.ID, pe.Title, pe.Err
		}
		errs = append(errs, fe)
	}
	return rules, errs
}

// Result is the outcome of loading and compiling rules.
type Result struct {
	Set *RuleSet
	// Files is how many rule files were read.
	Files int
	// Rejected holds a *FileError for every rule or file that was not
	// loaded, with its reason (ReasonOf).
	Rejected []error
	// Correlations are the correlation rules that parsed, in file order;
	// package correlate resolves and compiles them against Set.
	Correlations []*Rule
	// Disabled is how many rules Config.Keep left out.
	Disabled int
	// Overridden is how many built-in rules a file's rule of the same id
	// replaced.
	Overridden int
	// Silent are rules Config.Keep left out that a kept correlation
	// references: they are loaded for it, and raise no alert of their own.
	Silent map[*Rule]bool
}

// Load parses and compiles every rule file below paths into a rule set. A
// bad file or rule is reported in Result.Rejected and the others load; the
// error is only for paths that cannot be listed. Correlation rules are
// parsed and returned in Result.Correlations.
func Load(cfg Config, paths ...string) (*Result, error) {
	return LoadAll(cfg, nil, paths...)
}

// BuiltinPrefix starts the Path of the rules read from an fs.FS (the
// built-in pack): "builtin/windows/mr_bruteforce_then_success.yml".
const BuiltinPrefix = "builtin/"

// LoadAll is Load over the rule files of fsys (nil: none; files ending in
// _test.yml are left out) and then those below paths.
func LoadAll(cfg Config, fsys fs.FS, paths ...string) (*Result, error) {
	var srcs []ruleSource
	if fsys != nil {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && IsRuleFile(p) && !IsRuleTestFile(p) {
				srcs = append(srcs, ruleSource{path: BuiltinPrefix + p, read: func() ([]byte, error) { return fs.ReadFile(fsys, p) }})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk built-in rules: %w", err)
		}
	}
	files, err := RuleFiles(paths...)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		srcs = append(srcs, ruleSource{path: f, read: func() ([]byte, error) { return os.ReadFile(f) }})
	}
	res := &Result{Files: len(srcs)}
	type parsed struct {
		path string
		r    *Rule
	}
	var all []parsed
	for _, src := range srcs {
		rules, errs := loadSource(src)
		res.Rejected = append(res.Rejected, errs...)
		for _, r := range rules {
			all = append(all, parsed{src.path, r})
		}
	}
	// a rule of the files with the id of a built-in rule replaces it, so
	// the pack can be loaded from its directory too, or a rule of it
	// overridden by a copy
	fileIDs := map[string]bool{}
	for _, p := range all {
		if p.r.ID != "" && !strings.HasPrefix(p.path, BuiltinPrefix) {
			fileIDs[p.r.ID] = true
		}
	}
	if len(fileIDs) > 0 {
		kept := all[:0]
		for _, p := range all {
			if strings.HasPrefix(p.path, BuiltinPrefix) && fileIDs[p.r.ID] {
				res.Overridden++
				continue
			}
			kept = append(kept, p)
		}
		all = kept
	}
	// rules Keep leaves out are still loaded, silent, when a kept
	// correlation needs them
	needed := map[string]bool{}
	if cfg.Keep != nil {
		byRef := map[string][]*Rule{}
		for _, p := range all {
			for _, ref := range []string{p.r.ID, p.r.Name} {
				if ref != "" {
					byRef[ref] = append(byRef[ref], p.r)
				}
			}
		}
		var walk func(r *Rule)
		walk = func(r *Rule) {
			if r.Correlation == nil {
				return
			}
			for _, ref := range r.Correlation.Rules {
				if needed[ref] {
					continue
				}
				needed[ref] = true
				for _, x := range byRef[ref] {
					walk(x)
				}
			}
		}
		for _, p := range all {
			if p.r.Correlation != nil && cfg.Keep(p.r) {
				walk(p.r)
			}
		}
	}
	c := NewCompiler(cfg)
	var compiled []*Compiled
	for _, p := range all {
		r := p.r
		if cfg.Keep != nil && !cfg.Keep(r) {
			if !needed[r.ID] && !needed[r.Name] {
				res.Disabled++
				continue
			}
			if res.Silent == nil {
				res.Silent = map[*Rule]bool{}
			}
			res.Silent[r] = true
		}
		if r.Correlation != nil {
			res.Correlations = append(res.Correlations, r)
			continue
		}
		cr, err := c.Compile(r)
		if err != nil {
			res.Rejected = append(res.Rejected, &FileError{Path: p.path, ID: r.ID, Title: r.Title, Err: err})
			continue
		}
		compiled = append(compiled, cr)
	}
	res.Set = c.NewRuleSet(compiled)
	return res, nil
}

// ruleSource is one rule file to read.
type ruleSource struct {
	path string
	read func() ([]byte, error)
}
