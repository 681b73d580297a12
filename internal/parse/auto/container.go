package auto

import (
	"slices"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/containerlog"
)

// Container log envelopes: the container runtime writes each line a
// container prints to stdout or stderr inside a record of its own, and
// the record inside is what the sender wrote.
//
//	2024-05-10T11:37:47.123456789Z stdout F <line>      Kubernetes CRI (containerd, CRI-O)
//	{"log":"<line>\n","stream":"stdout","time":"…"}      Docker json-file
//
// The envelope is taken off and the line parsed as if it had come alone;
// then the envelope's fields are written over it: its time is @timestamp
// (nanoseconds kept), its stream is "stream" (ECS has no field for it;
// Elastic's container input uses a top-level "stream" too), Docker's
// records get container.runtime "docker" and their attrs (--log-opt
// labels, env, tag) under docker.attrs.*. A partial line (CRI tag P, or a
// Docker piece without its "\n": both split lines over 16 KiB) is an event
// of its own tagged "partial": joining it to the rest needs the records of
// one file in order, which the parse stage does not have.

// Field names the envelope writes.
const (
	fieldStream  = "stream"
	fieldRuntime = "container.runtime"
	fieldTags    = "tags"
	attrsPrefix  = "docker.attrs."
	tagPartial   = "partial"
)

// container parses s when it is a container runtime's record and reports
// whether it was. Nothing is written when it is not.
func (p *Parser) container(s string) bool {
	line, env, ok := containerlog.Split(s)
	if !ok {
		return false
	}
	p.parse(line)
	w := &p.w
	w.Put(fieldStream, event.String(env.Stream))
	if env.Docker {
		w.Put(fieldRuntime, event.String("docker"))
		keys := make([]string, 0, len(env.Attrs))
		for k := range env.Attrs {
			if k != "" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.Put(attrsPrefix+k, event.String(env.Attrs[k]))
		}
	}
	if env.Partial {
		w.Put(fieldTags, event.List([]string{tagPartial}))
	}
	w.Event().Timestamp = env.Time
	return true
}
