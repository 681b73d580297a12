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
			cpu0 := cpuTime()
			for b.Loop() {
				e.Reset()
				saved := e.Fields
				*e = *base
				e.Fields = append(saved[:0], base.Fields...)
				if _, _, err := set.Run(e); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
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
			if strings.HasPrefix(tc.Input, "{") {
				for _, h := range syslogHeaders {
					f.Add(h + tc.Input)
				}
			}
		}
	}
	for _, line := range noPipelineLines {
		f.Add(line)
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
		// The selection index picks what trying every pipeline in order
		// picks.
		naive := -1
		for i, p := range set.Pipelines() {
			if p.Matches(e) {
				naive = i
				break
			}
		}
		if got := set.Select(e); got != naive {
			t.Fatalf("selection picks %s, trying each in order picks %s", pipelineName(set, got), pipelineName(set, naive))
		}
		// The set's run (a JSON body's syslog header moved aside and
		// back) fails only with a step error.
		if _, _, err := set.Run(e.Clone()); err != nil {
			if _, ok := err.(*ingest.StepError); !ok {
				t.Fatalf("set: error %v is not a step error", err)
			}
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

func pipelineName(set *ingest.Set, i int) string {
	if i < 0 {
		return "none"
	}
	return set.Pipelines()[i].Name
}

// noPipelineLines are records no built-in pipeline takes.
var noPipelineLines = map[string]string{
	"syslog": `<13>May 10 11:37:47 host1 myapp[42]: user jdoe opened the report "Q2" in 1.2 s`,
	"json":   `{"ts_app":"2024-05-10T11:37:47Z","level":"info","msg":"request served","path":"/api/v1/x","status":200,"user":"jdoe"}`,
	// A line that starts like many dated formats (ELB, IIS, Exchange…).
	"dated": `2024-05-10 11:37:47,123 INFO [main] o.a.Server - request served path=/api/v1/x status=200 user=jdoe`,
	"kv":    `<13>May 10 11:37:47 host1 appd: type=request src=10.1.2.3 dst=10.4.5.6 user=jdoe action=allow bytes=1234`,
	"jsonwide": `{"TimeCreated":"2024-05-10T11:37:47Z","Hostname":"ws1","EventID":4688,"Channel":"Security","Provider":"X",` +
		`"SubjectUserName":"jdoe","NewProcessName":"C:\\x.exe","CommandLine":"x -y","ParentProcessName":"C:\\p.exe",` +
		`"ProcessId":"0x1a4","TargetLogonId":"0x3e7","Level":"Information","Task":13312,"Keywords":"0x8020","Message":"A process was created."}`,
}

// BenchmarkNoPipeline measures what every event no pipeline takes pays:
// selection over all built-in pipelines.
func BenchmarkNoPipeline(b *testing.B) {
	set := builtinSet(b)
	for name, line := range noPipelineLines {
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
			cpu0 := cpuTime()
			for b.Loop() {
				if i := set.Select(e); i >= 0 {
					b.Fatalf("pipeline %s took it", set.Pipelines()[i].Name)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU reports the CPU time per op since cpu0: on a shared machine
// wall time (ns/op) counts the time other processes held the core, CPU
// time does not. Run with -cpu 1 so that it is one core's time.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if d := cpuTime() - cpu0; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
