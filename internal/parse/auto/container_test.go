package auto

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// TestContainer: Kubernetes CRI lines and Docker json-file records are
// unwrapped: the envelope's time (nanoseconds kept) is @timestamp, its
// stream is "stream", and the line inside is parsed as if it came alone.
func TestContainer(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			if err := newParser().Parse([]byte(in), e); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsetest.Check(t, e, in)
			parsetest.Equal(t, e, want)
		})
	}
	const access = `10.0.0.5 - alice [10/May/2024:11:37:47 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"`
	// CRI (containerd, CRI-O): TIME STREAM TAG MESSAGE.
	f(`2024-05-10T11:37:47.123456789Z stdout F `+access,
		`{"@timestamp":"2024-05-10T11:37:47.123456789Z","message":"`+jsonEsc(access)+`","stream":"stdout"}`)
	f(`2024-05-10T11:37:47.000000001Z stderr F {"level":"error","msg":"db down","user":"bob"}`,
		`{"@timestamp":"2024-05-10T11:37:47.000000001Z","level":"error","message":"db down","user":"bob","stream":"stderr"}`)
	f(`2024-05-10T13:37:47.5+02:00 stdout F key=1 other=2`,
		`{"@timestamp":"2024-05-10T11:37:47.5Z","key":1,"other":2,"stream":"stdout"}`)
	// The inner line's own syslog header is read, but the envelope's time wins.
	f(`2024-05-10T11:37:47.1Z stdout F <13>Nov 23 10:00:00 h sshd[1]: Accepted password for bob`,
		`{"@timestamp":"2024-05-10T11:37:47.1Z","pri":13,"host.hostname":"h","host.name":"h","process.name":"sshd","process.pid":1,"message":"Accepted password for bob","stream":"stdout"}`)
	// A partial line (P) is its own event, tagged.
	f(`2024-05-10T11:37:48.000000001Z stdout P first half `,
		`{"@timestamp":"2024-05-10T11:37:48.000000001Z","message":"first half ","stream":"stdout","tags":["partial"]}`)
	f(`2024-05-10T11:37:48Z stdout F `, `{"@timestamp":"2024-05-10T11:37:48Z","stream":"stdout"}`)
	f(`2024-05-10T11:37:48Z stdout F`, `{"@timestamp":"2024-05-10T11:37:48Z","stream":"stdout"}`)
	// Docker json-file.
	f(`{"log":"10.0.0.5 - alice [10/May/2024:11:37:47 +0000] \"GET /index.html HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"\n","stream":"stdout","time":"2024-05-10T11:37:47.123456789Z"}`,
		`{"@timestamp":"2024-05-10T11:37:47.123456789Z","message":"`+jsonEsc(access)+`","stream":"stdout","container.runtime":"docker"}`)
	f(`{"log":"{\"level\":\"info\",\"msg\":\"hello\"}\n","stream":"stderr","attrs":{"tag":"web"},"time":"2024-05-10T11:37:47.5Z"}`,
		`{"@timestamp":"2024-05-10T11:37:47.5Z","level":"info","message":"hello","stream":"stderr","container.runtime":"docker","docker.attrs.tag":"web"}`)
	// Docker splits lines over 16 KiB: the pieces but the last lack "\n".
	f(`{"log":"first half ","stream":"stdout","time":"2024-05-10T11:37:47.5Z"}`,
		`{"@timestamp":"2024-05-10T11:37:47.5Z","message":"first half ","stream":"stdout","container.runtime":"docker","tags":["partial"]}`)
	f(`{"log":"caf\u00e9 \"q\"\r\n","stream":"stdout","attrs":{"b":"2","a":"1"},"time":"2024-05-10T11:37:47.5Z"}`,
		`{"@timestamp":"2024-05-10T11:37:47.5Z","message":"café \"q\"","stream":"stdout","container.runtime":"docker","docker.attrs.a":"1","docker.attrs.b":"2"}`)
	f(`{"log":"","stream":"stdout","attrs":{},"time":"2024-05-10T11:37:47.5Z"}`,
		`{"@timestamp":"2024-05-10T11:37:47.5Z","stream":"stdout","container.runtime":"docker","tags":["partial"]}`)
	// Near misses stay what they were.
	f(`{"log":"x","time":"2024-05-10T11:37:47.5Z","stream":"stdout"}`, `{"@timestamp":"2024-05-10T11:37:47.5Z","log":"x","time":"2024-05-10T11:37:47.5Z","stream":"stdout"}`)
	f(`{"log":"x","stream":"stdout","attrs":{"a":1},"time":"2024-05-10T11:37:47.5Z"}`, `{"@timestamp":"2024-05-10T11:37:47.5Z","log":"x","stream":"stdout","attrs.a":1,"time":"2024-05-10T11:37:47.5Z"}`)
	f(`{"log":"x","stream":"stdout","time":"not a time"}`, `{"log":"x","stream":"stdout","time":"not a time"}`)
	f(`{"log":"x","stream":"stdout","time":"2024-05-10T11:37:47.5Z","other":1}`, `{"@timestamp":"2024-05-10T11:37:47.5Z","log":"x","stream":"stdout","time":"2024-05-10T11:37:47.5Z","other":1}`)
	// (an ISO-stamped syslog line whose host is not a stream, or whose
	// TAG is not a CRI tag).
	f(`2024-05-10T11:37:47.1Z stdin F x`, `{"@timestamp":"2024-05-10T11:37:47.1Z","host.hostname":"stdin","host.name":"stdin","message":"x","process.name":"F"}`)
	f(`2024-05-10T11:37:47.1Z stdout X x`, `{"@timestamp":"2024-05-10T11:37:47.1Z","host.hostname":"stdout","host.name":"stdout","message":"x","process.name":"X"}`)
	f(`2024-13-10T11:37:47.1Z stdout F x`, `{"message":"2024-13-10T11:37:47.1Z stdout F x"}`)
}

func jsonEsc(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
