package containerlog

import (
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		in, line, stream string
		partial, docker  bool
	}{
		{"2024-05-10T11:37:47.123456789Z stdout F hello world", "hello world", "stdout", false, false},
		{"2024-05-10T11:37:47Z stderr P part", "part", "stderr", true, false},
		{"2024-05-10T11:37:47Z stderr P:F part", "part", "stderr", true, false},
		{`{"log":"a\"b\n","stream":"stderr","time":"2024-05-10T11:37:47.5Z"}`, `a"b`, "stderr", false, true},
	} {
		line, env, ok := Split(c.in)
		if !ok || line != c.line || env.Stream != c.stream || env.Partial != c.partial || env.Docker != c.docker || env.Time.Year() != 2024 {
			t.Errorf("Split(%q) = %q, %+v, %v", c.in, line, env, ok)
		}
	}
	for _, in := range []string{
		"", "2024-05-10T11:37:47Z web01 sshd[1]: x", "2024-05-10T11:37:47Z stdout Q x", "2024-05-10X11:37:47Z stdout F x",
		`{"log":"x","stream":"stdout"}`, `{"log":"x","stream":"stdout","time":"2024-05-10T11:37:47Z"} trailing`,
		`{"log":"x","stream":"","time":"2024-05-10T11:37:47Z"}`, `{"log":"x","stream":"stdout","attrs":{"a":"1"`,
	} {
		if _, _, ok := Split(in); ok {
			t.Errorf("Split(%q) took it as a container record", in)
		}
	}
}

// FuzzSplit: Split never panics, and a CRI line's text is the record's tail.
func FuzzSplit(f *testing.F) {
	f.Add("2024-05-10T11:37:47.123456789Z stdout F hello")
	f.Add(`{"log":"x\n","stream":"stdout","attrs":{"a":"b"},"time":"2024-05-10T11:37:47Z"}`)
	f.Fuzz(func(t *testing.T, in string) {
		line, env, ok := Split(in)
		if ok && !env.Docker && !strings.HasSuffix(in, line) {
			t.Fatalf("line %q is not the tail of %q", line, in)
		}
		if ok && len(env.Attrs) > MaxDockerAttrs {
			t.Fatalf("%d attrs", len(env.Attrs))
		}
	})
}
