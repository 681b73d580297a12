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
	data, err := os.ReadFile(path)
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
}

// Load parses and compiles every rule file below paths into a rule set. A
// bad file or rule is reported in Result.Rejected and the others load; the
// error is only for paths that cannot be listed. Correlation rules are
// parsed and returned in Result.Correlations.
func Load(cfg Config, paths ...string) (*Result, error) {
	files, err := RuleFiles(paths...)
	if err != nil {
		return nil, err
	}
	c := NewCompiler(cfg)
	res := &Result{Files: len(files)}
	var compiled []*Compiled
	for _, f := range files {
		rules, errs := LoadFile(f)
		res.Rejected = append(res.Rejected, errs...)
		for _, r := range rules {
			if r.Correlation != nil {
				res.Correlations = append(res.Correlations, r)
				continue
			}
			cr, err := c.Compile(r)
			if err != nil {
				res.Rejected = append(res.Rejected, &FileError{Path: f, ID: r.ID, Title: r.Title, Err: err})
				continue
			}
			compiled = append(compiled, cr)
		}
	}
	res.Set = c.NewRuleSet(compiled)
	return res, nil
}
