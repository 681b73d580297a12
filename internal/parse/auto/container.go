package auto

import (
	"slices"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/jsontext"
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

// maxDockerAttrs bounds the attrs of one Docker record taken as fields:
// the daemon writes the few labels and variables a container was started
// with; a record with more is parsed as ordinary JSON.
const maxDockerAttrs = 64

// envelope is what a container record says besides its line.
type envelope struct {
	time    time.Time
	stream  string
	partial bool
	docker  bool
	attrs   map[string]string
}

// container parses s when it is a container runtime's record and reports
// whether it was. Nothing is written when it is not.
func (p *Parser) container(s string) bool {
	var env envelope
	var line string
	var ok bool
	switch {
	case len(s) > 0 && s[0] >= '0' && s[0] <= '9':
		line, ok = cri(s, &env)
	case strings.HasPrefix(s, `{"log":`):
		line, ok = docker(s, &env)
	}
	if !ok {
		return false
	}
	p.parse(line)
	w := &p.w
	w.Put(fieldStream, event.String(env.stream))
	if env.docker {
		w.Put(fieldRuntime, event.String("docker"))
		keys := make([]string, 0, len(env.attrs))
		for k := range env.attrs {
			if k != "" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.Put(attrsPrefix+k, event.String(env.attrs[k]))
		}
	}
	if env.partial {
		w.Put(fieldTags, event.List([]string{tagPartial}))
	}
	w.Event().Timestamp = env.time
	return true
}

// cri splits a CRI log line: TIME STREAM TAGS [MESSAGE], TIME in RFC 3339
// with nanoseconds, STREAM stdout or stderr, TAGS "F" (a full line) or
// "P" (a partial one; the CRI keeps ':' for more tags).
func cri(s string, env *envelope) (string, bool) {
	// Cheap gate: "YYYY-MM-DDT" before any parsing; the shortest line is
	// "2024-05-10T11:37:48Z stdout F".
	if len(s) < 29 || s[4] != '-' || s[7] != '-' || s[10] != 'T' {
		return "", false
	}
	sp := strings.IndexByte(s, ' ')
	if sp < 20 || sp > 40 {
		return "", false
	}
	t, err := time.Parse(time.RFC3339Nano, s[:sp])
	if err != nil {
		return "", false
	}
	rest := s[sp+1:]
	var stream string
	switch {
	case strings.HasPrefix(rest, "stdout "):
		stream = "stdout"
	case strings.HasPrefix(rest, "stderr "):
		stream = "stderr"
	default:
		return "", false
	}
	rest = rest[len(stream)+1:]
	tags, line, _ := strings.Cut(rest, " ")
	partial := false
	for tag := range strings.SplitSeq(tags, ":") {
		switch tag {
		case "F":
		case "P":
			partial = true
		default:
			return "", false
		}
	}
	*env = envelope{time: t.UTC(), stream: stream, partial: partial}
	return line, true
}

// docker splits a Docker json-file record. The daemon writes its keys in
// one order, without spaces (jsonfilelog's encoder):
//
//	{"log":STRING,"stream":STRING[,"attrs":{STRING:STRING,…}],"time":STRING}
//
// Anything else (another key, another order, a bad time) is not such a
// record: it is parsed as ordinary JSON.
func docker(s string, env *envelope) (string, bool) {
	i := len(`{"log":`)
	line, i, ok := dockerString(s, i)
	if !ok || !strings.HasPrefix(s[i:], `,"stream":`) {
		return "", false
	}
	stream, i, ok := dockerString(s, i+len(`,"stream":`))
	if !ok || stream == "" {
		return "", false
	}
	var attrs map[string]string
	if strings.HasPrefix(s[i:], `,"attrs":{`) {
		attrs = map[string]string{}
		i += len(`,"attrs":{`)
		for i < len(s) && s[i] != '}' {
			if len(attrs) > 0 {
				if s[i] != ',' {
					return "", false
				}
				i++
			}
			var k, v string
			if k, i, ok = dockerString(s, i); !ok || i >= len(s) || s[i] != ':' {
				return "", false
			}
			if v, i, ok = dockerString(s, i+1); !ok || len(attrs) == maxDockerAttrs {
				return "", false
			}
			attrs[k] = v
		}
		i++ // '}'
	}
	if !strings.HasPrefix(s[min(i, len(s)):], `,"time":`) {
		return "", false
	}
	ts, i, ok := dockerString(s, i+len(`,"time":`))
	if !ok || i >= len(s) || s[i] != '}' || strings.TrimRight(s[i+1:], " \t\r\n") != "" {
		return "", false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return "", false
	}
	partial := !strings.HasSuffix(line, "\n")
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	*env = envelope{time: t.UTC(), stream: stream, partial: partial, docker: true, attrs: attrs}
	return line, true
}

// dockerString reads the JSON string at s[i] and returns its value and the
// index after it.
func dockerString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	v, end, err := jsontext.String(s, i)
	return v, end, err == nil
}
