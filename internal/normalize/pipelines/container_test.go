package pipelines

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// TestContainerWrapped runs every built-in pipeline's tests again with
// each single-line input inside a container runtime's envelope (a
// Kubernetes CRI line, a Docker json-file record): the line inside must be
// selected by the same pipeline and give the same fields, as if it had
// come alone. @timestamp is left out: the envelope's time stands where
// the line's syslog header had one (docs/formats.md).
func TestContainerWrapped(t *testing.T) {
	set := builtinSet(t)
	for name, tf := range testFiles(t) {
		for _, wrap := range []struct {
			kind string
			fn   func(string) string
		}{
			{"cri", func(s string) string { return "2024-05-10T11:37:47.123456789Z stdout F " + s }},
			{"docker", func(s string) string {
				return `{"log":` + strconv.Quote(s+"\n") + `,"stream":"stdout","time":"2024-05-10T11:37:47.123456789Z"}`
			}},
		} {
			w := &ingest.TestFile{Pipeline: tf.Pipeline}
			for _, tc := range tf.Tests {
				// Records of other formats, lines of several records, and
				// bytes strconv.Quote would write in a way JSON reads
				// otherwise are not what a container prints as one line.
				if (tc.Format != "" && tc.Format != "auto") || strings.ContainsAny(tc.Input, "\n\x00\x7f\\") || !isPrintable(tc.Input) {
					continue
				}
				tc.Input = wrap.fn(tc.Input)
				delete(tc.Expect, "@timestamp")
				delete(tc.Expect, "event.original")
				tc.Name = wrap.kind + ": " + tc.Name
				w.Tests = append(w.Tests, tc)
			}
			for _, r := range w.Run(set, goNormalizers()) {
				if len(r.Failures) > 0 {
					t.Errorf("%s: %s:\n  %s", name, r.Name, strings.Join(r.Failures, "\n  "))
				}
			}
		}
	}
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 && s[i] != '\t' || s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzContainerPipelines: random records in a container envelope never
// panic the parser or the pipelines; the selection index agrees with
// trying each pipeline in order, and a failure is a step error.
func FuzzContainerPipelines(f *testing.F) {
	set := builtinSet(f)
	for _, tf := range testFiles(f) {
		in := tf.Tests[0].Input
		f.Add("2024-05-10T11:37:47.123456789Z stdout F " + in)
		f.Add(`{"log":` + strconv.Quote(in+"\n") + `,"stream":"stderr","time":"2024-05-10T11:37:47.5Z"}`)
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
		if _, _, err := set.Run(e.Clone()); err != nil {
			if _, ok := err.(*ingest.StepError); !ok {
				t.Fatalf("set: error %v is not a step error", err)
			}
		}
	})
}
