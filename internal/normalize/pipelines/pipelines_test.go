package pipelines

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	_ "github.com/vigilsiem/vigil/internal/normalize/all"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

func builtinSet(t testing.TB) *ingest.Set {
	t.Helper()
	ps, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := ingest.NewSet(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// goNormalizers are the stages serve runs before the pipelines.
func goNormalizers() []pipeline.Processor {
	return normalize.Processors(normalize.BeforePipelines)
}

// testFiles maps each pipeline file to its test file.
func testFiles(t testing.TB) map[string]*ingest.TestFile {
	t.Helper()
	out := map[string]*ingest.TestFile{}
	names, err := fs.Glob(FS, "*_test.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := FS.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		tf, err := ingest.ParseTestFile(data)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[n] = tf
	}
	return out
}

// TestBuiltinPipelines runs every built-in pipeline's test file, and checks
// that every pipeline has one.
func TestBuiltinPipelines(t *testing.T) {
	set := builtinSet(t)
	files := testFiles(t)
	for _, p := range set.Pipelines() {
		tf := strings.TrimSuffix(p.File, ".yml") + "_test.yml"
		if _, ok := files[tf]; !ok {
			t.Errorf("pipeline %s (%s) has no test file %s", p.Name, p.File, tf)
		}
	}
	for name, tf := range files {
		for _, r := range tf.Run(set, goNormalizers()) {
			if len(r.Failures) > 0 {
				t.Errorf("%s: %s:\n  %s", name, r.Name, strings.Join(r.Failures, "\n  "))
			}
		}
	}
}

// BenchmarkPipelines measures each built-in pipeline on the first input of
// its test file: selection among all pipelines, then its steps. The
// record is parsed once, outside the timing; each iteration copies the
// parsed event and runs the set on it.
func BenchmarkPipelines(b *testing.B) {
	set := builtinSet(b)
	for name, tf := range testFiles(b) {
		tc := tf.Tests[0]
		ps, err := parse.New("auto", parse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		base := &event.Event{}
		if err := pipeline.ParseRecord(ps, "default", "bench", time.Now(), &pipeline.Record{Data: []byte(tc.Input)}, base); err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(name, "_test.yml"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.Input)))
			e := &event.Event{}
			for b.Loop() {
				e.Reset()
				saved := e.Fields
				*e = *base
				e.Fields = append(saved[:0], base.Fields...)
				if _, _, err := set.Run(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzPipelines feeds random records through the parser and every
// pipeline: nothing may panic, and a failure must be a step error naming
// its pipeline.
func FuzzPipelines(f *testing.F) {
	set := builtinSet(f)
	for _, tf := range testFiles(f) {
		for _, tc := range tf.Tests {
			f.Add(tc.Input)
		}
	}
	ps, err := parse.New("auto", parse.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e := &event.Event{}
		if err := pipeline.ParseRecord(ps, "default", "fuzz", time.Now(), &pipeline.Record{Data: []byte(in)}, e); err != nil {
			return
		}
		// Every pipeline, not only the selected one, must survive any record.
		for _, p := range set.Pipelines() {
			c := e.Clone()
			if _, err := p.Run(c); err != nil {
				se, ok := err.(*ingest.StepError)
				if !ok || se.Pipeline != p.Name || se.Step < 1 {
					t.Fatalf("pipeline %s: error %v is not a step error naming it", p.Name, err)
				}
			}
		}
	})
}

// BenchmarkNoPipeline measures what every event no pipeline takes pays:
// selection over all built-in pipelines.
func BenchmarkNoPipeline(b *testing.B) {
	set := builtinSet(b)
	for name, line := range map[string]string{
		"syslog": `<13>May 10 11:37:47 host1 myapp[42]: user jdoe opened the report "Q2" in 1.2 s`,
		"json":   `{"ts_app":"2024-05-10T11:37:47Z","level":"info","msg":"request served","path":"/api/v1/x","status":200,"user":"jdoe"}`,
	} {
		ps, err := parse.New("auto", parse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		e := &event.Event{}
		if err := pipeline.ParseRecord(ps, "default", "bench", time.Now(), &pipeline.Record{Data: []byte(line)}, e); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if i := set.Select(e); i >= 0 {
					b.Fatalf("pipeline %s took it", set.Pipelines()[i].Name)
				}
			}
		})
	}
}
