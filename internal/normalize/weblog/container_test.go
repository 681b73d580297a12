package weblog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// TestContainerLines: access and error lines inside a container runtime's
// envelope (Kubernetes CRI, Docker json-file) normalise as they do alone,
// and keep the envelope's finer time when the line's own time (whole
// seconds) names the same second.
func TestContainerLines(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	f(`2024-05-10T11:37:47.123456789Z stdout F 10.0.0.5 - alice [10/May/2024:11:37:47 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"`,
		map[string]string{"@timestamp": "2024-05-10T11:37:47.123456789Z", "source.ip": "10.0.0.5", "user.name": "alice",
			"http.response.status_code": "200", "url.path": "/index.html", "stream": "stdout", "host.name": "", "process.name": ""})
	f(`{"log":"10.0.0.5 - - [10/May/2024:13:37:47 +0200] \"GET / HTTP/1.1\" 404 0 \"-\" \"curl/8.0\"\n","stream":"stdout","time":"2024-05-10T11:37:47.5Z"}`,
		map[string]string{"@timestamp": "2024-05-10T11:37:47.5Z", "source.ip": "10.0.0.5", "http.response.status_code": "404",
			"container.runtime": "docker", "stream": "stdout"})
	f(`2024-05-10T11:37:48.25Z stderr F 2024/05/10 11:37:48 [error] 29#29: *1 open() "/x" failed (2: No such file or directory), client: 10.0.0.5, server: a, request: "GET /x HTTP/1.1", host: "a"`,
		map[string]string{"@timestamp": "2024-05-10T11:37:48.25Z", "log.level": "error", "stream": "stderr"})
	// A line written in another second than the envelope says: the line's
	// own time wins, as it would alone.
	f(`2024-05-10T11:37:49.5Z stdout F 10.0.0.5 - - [10/May/2024:11:37:47 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`,
		map[string]string{"@timestamp": "2024-05-10T11:37:47Z"})
	// Alone, the receive time (normtest.Now) is no finer time of the line.
	f(`10.0.0.5 - - [`+normtest.Now.Format(clfTime)+`] "GET / HTTP/1.1" 200 5 "-" "-"`,
		map[string]string{"@timestamp": normtest.Now.Truncate(1e9).UTC().Format("2006-01-02T15:04:05.999999999Z07:00")})
}
