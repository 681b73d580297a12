// Package containerlog owns the envelopes container runtimes write around
// each line a container prints to stdout or stderr:
//
//	2024-05-10T11:37:47.123456789Z stdout F <line>      Kubernetes CRI (containerd, CRI-O)
//	{"log":"<line>\n","stream":"stdout","time":"…"}      Docker json-file
//
// Split takes the envelope off a record. The auto parser
// (internal/parse/auto) parses the line inside as if it had come alone and
// writes the envelope's fields over it; the pipelines' record body
// (internal/normalize/ingest, _raw) is read from the line too.
package containerlog

import (
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/jsontext"
)

// MaxDockerAttrs bounds the attrs of one Docker record taken as fields:
// the daemon writes the few labels and variables a container was started
// with; a record with more is parsed as ordinary JSON.
const MaxDockerAttrs = 64

// Envelope is what a container record says besides its line.
type Envelope struct {
	// Time is when the runtime read the line, UTC, to the nanosecond.
	Time time.Time
	// Stream is "stdout" or "stderr" (any name for Docker).
	Stream string
	// Partial marks a piece of a line the runtime cut (CRI tag P, or a
	// Docker piece without its "\n": both cut lines over 16 KiB).
	Partial bool
	// Docker marks a Docker json-file record.
	Docker bool
	// Attrs are a Docker record's attrs (--log-opt labels, env, tag).
	Attrs map[string]string
}

// Split returns the line inside s and its envelope when s is a container
// runtime's record; ok is false (and nothing else meaningful) otherwise.
func Split(s string) (line string, env Envelope, ok bool) {
	switch {
	case len(s) > 0 && s[0] >= '0' && s[0] <= '9':
		line, ok = cri(s, &env)
	case strings.HasPrefix(s, `{"log":`):
		line, ok = docker(s, &env)
	}
	return line, env, ok
}

// cri splits a CRI log line: TIME STREAM TAGS [MESSAGE], TIME in RFC 3339
// with nanoseconds, STREAM stdout or stderr, TAGS "F" (a full line) or
// "P" (a partial one; the CRI keeps ':' for more tags).
func cri(s string, env *Envelope) (string, bool) {
	// Cheap gate: "YYYY-MM-DDT" before any parsing; the shortest line is
	// "2024-05-10T11:37:48Z stdout F".
	if len(s) < 29 || s[4] != '-' || s[7] != '-' || s[10] != 'T' {
		return "", false
	}
	sp := strings.IndexByte(s, ' ')
	if sp < 20 || sp > 40 {
		return "", false
	}
	// The stream before the time: an ISO-stamped syslog line (a host
	// name there) costs no time parse.
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
	t, err := time.Parse(time.RFC3339Nano, s[:sp])
	if err != nil {
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
	*env = Envelope{Time: t.UTC(), Stream: stream, Partial: partial}
	return line, true
}

// docker splits a Docker json-file record. The daemon writes its keys in
// one order, without spaces (jsonfilelog's encoder):
//
//	{"log":STRING,"stream":STRING[,"attrs":{STRING:STRING,…}],"time":STRING}
//
// Anything else (another key, another order, a bad time) is not such a
// record: it is parsed as ordinary JSON.
func docker(s string, env *Envelope) (string, bool) {
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
			if v, i, ok = dockerString(s, i+1); !ok || len(attrs) == MaxDockerAttrs {
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
	*env = Envelope{Time: t.UTC(), Stream: stream, Partial: partial, Docker: true, Attrs: attrs}
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
