package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
)

func init() {
	c := &command{name: "pipelines", summary: "run pipeline test files (pipelines test) and list the pipelines (pipelines list)",
		usage: "test [--builtin] [DIR|FILE...] | list [DIR]"}
	c.run = func(args []string) error {
		if len(args) == 0 {
			return errUsage
		}
		switch args[0] {
		case "test":
			return runPipelinesTest(c, args[1:], os.Stdout)
		case "list":
			return runPipelinesList(args[1:], os.Stdout)
		case "-h", "--help", "help":
			newFlagSet(c).Usage()
			return nil
		}
		return errUsage
	}
	register(c)
}

// runPipelinesTest runs the test files (NAME_test.yml) of each directory or
// file given. The pipelines of a test file's directory are loaded before
// the built-in ones, as serve loads pipeline.dir, so a test sees exactly
// the selection serve would make. --builtin runs the built-in tests.
func runPipelinesTest(c *command, args []string, stdout io.Writer) error {
	fs := newFlagSet(c)
	builtin := fs.Bool("builtin", false, "also run the tests of the built-in pipelines")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 && !*builtin {
		return errUsage
	}
	passed, failed, nonECS := 0, 0, 0
	report := func(file string, tf *ingest.TestFile, set *ingest.Set) {
		for _, r := range tf.Run(set, normalize.Processors(normalize.BeforePipelines)) {
			// What ECS does not allow is reported, not failed: a user's
			// pipeline may keep a name or value on purpose.
			for _, v := range r.ECS {
				fmt.Fprintf(stdout, "ECS  %s: %s: %s\n", file, r.Name, v)
				nonECS++
			}
			if len(r.Failures) == 0 {
				fmt.Fprintf(stdout, "PASS %s: %s\n", file, r.Name)
				passed++
				continue
			}
			fmt.Fprintf(stdout, "FAIL %s: %s\n", file, r.Name)
			for _, f := range r.Failures {
				fmt.Fprintf(stdout, "     %s\n", f)
			}
			failed++
		}
	}
	if *builtin {
		set, err := app.PipelineSet("")
		if err != nil {
			return err
		}
		names, err := fsGlobTests()
		if err != nil {
			return err
		}
		for _, n := range names {
			data, err := pipelines.FS.ReadFile(n)
			if err != nil {
				return err
			}
			tf, err := ingest.ParseTestFile(data)
			if err != nil {
				fmt.Fprintf(stdout, "FAIL builtin/%s: %v\n", n, err)
				failed++
				continue
			}
			report("builtin/"+n, tf, set)
		}
	}
	byDir := map[string][]string{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		found := false
		for _, en := range entries {
			if !en.IsDir() && ingest.IsTestFile(en.Name()) {
				byDir[p] = append(byDir[p], filepath.Join(p, en.Name()))
				found = true
			}
		}
		if !found {
			return fmt.Errorf("no pipeline test files (*_test.yml) in %s", p)
		}
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		set, err := app.PipelineSet(d)
		if err != nil {
			return err
		}
		for _, f := range byDir[d] {
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			tf, err := ingest.ParseTestFile(data)
			if err != nil {
				fmt.Fprintf(stdout, "FAIL %s: %v\n", f, err)
				failed++
				continue
			}
			report(f, tf, set)
		}
	}
	fmt.Fprintf(stdout, "\n%d passed, %d failed\n", passed, failed)
	if nonECS > 0 {
		fmt.Fprintf(stdout, "%d values or names ECS does not allow (lines ECS above)\n", nonECS)
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d pipeline tests failed", failed)}
	}
	return nil
}

func fsGlobTests() ([]string, error) {
	return fs.Glob(pipelines.FS, "*_test.yml")
}

// runPipelinesList prints the pipelines in selection order.
func runPipelinesList(args []string, stdout io.Writer) error {
	if len(args) > 1 {
		return errUsage
	}
	dir := ""
	if len(args) == 1 {
		dir = args[0]
	}
	set, err := app.PipelineSet(dir)
	if err != nil {
		return err
	}
	for _, p := range set.Pipelines() {
		desc := strings.Join(strings.Fields(p.Description), " ")
		if len(desc) > 90 {
			desc = desc[:87] + "..."
		}
		fmt.Fprintf(stdout, "%-32s %s\n", p.Name, desc)
	}
	return nil
}
