package response

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
)

// syslogSeverity maps an alert level to an RFC 5424 severity: critical →
// 2 (critical), high → 3 (error), medium → 4 (warning), low → 5 (notice),
// informational and unknown → 6 (informational).
func syslogSeverity(level string) int {
	switch alert.LevelRank(level) {
	case 4:
		return 2
	case 3:
		return 3
	case 2:
		return 4
	case 1:
		return 5
	}
	return 6
}

type syslogClient struct {
	network, addr string
	tlsCfg        *tls.Config
	octets        bool
	facility      int
	host, app     string
	sdid          string
	maxMsg        int
	now           func() time.Time

	mu   sync.Mutex
	conn net.Conn
}

func newSyslog(c *config.SyslogResponse) (*syslogClient, error) {
	fac, err := config.SyslogFacility(c.Facility)
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	s := &syslogClient{network: c.Network, addr: c.Address, octets: c.Framing == "octet-counting", facility: fac,
		host: c.Hostname, app: c.AppName, sdid: c.SDID, maxMsg: int(c.MaxMessage), now: time.Now}
	if s.host == "" {
		s.host = headerField(hostname(), 255)
	}
	if c.Network == "tls" {
		tc := c.TLS
		tc.Enabled = true
		if s.tlsCfg, err = tc.ClientConfig(); err != nil {
			return nil, fmt.Errorf("syslog: %w", err)
		}
		if s.tlsCfg.ServerName == "" {
			s.tlsCfg.ServerName, _, _ = net.SplitHostPort(c.Address)
		}
	}
	return s, nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "-"
	}
	return h
}

// headerField makes s a valid RFC 5424 header field: printable ASCII
// without spaces, at most n characters; "-" when nothing is left.
func headerField(s string, n int) string {
	b := make([]byte, 0, min(len(s), n))
	for i := 0; i < len(s) && len(b) < n; i++ {
		if c := s[i]; c > 32 && c < 127 {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

// sdEscape escapes an SD-PARAM value: '"', '\' and ']' take a backslash
// (RFC 5424 §6.3.3).
func sdEscape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsAny(s, `"\]`) {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(s)
}

// format renders the RFC 5424 message of a job, without framing. A MSG
// that would make the message longer than maxMsg is cut at a character
// boundary, and the structured data says so (truncated="true").
func (s *syslogClient) format(j *job) []byte {
	pri := s.facility*8 + syslogSeverity(j.level)
	var b strings.Builder
	b.WriteString("<" + strconv.Itoa(pri) + ">1 ")
	b.WriteString(s.now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"))
	b.WriteString(" " + s.host + " " + s.app + " " + strconv.Itoa(os.Getpid()) + " " + j.kind + " ")
	sd := func(truncated bool) string {
		var e strings.Builder
		e.WriteString("[" + s.sdid)
		for _, p := range [][2]string{{"tenant", j.tenant}, {"id", j.subject}, {"rule_id", j.ruleID}, {"level", j.level},
			{"reason", j.reason}, {"delivery", j.delivery}} {
			if p[1] != "" {
				e.WriteString(" " + p[0] + `="` + sdEscape(p[1]) + `"`)
			}
		}
		if truncated {
			e.WriteString(` truncated="true"`)
		}
		e.WriteString("]")
		return e.String()
	}
	head := b.String()
	full := head + sd(false) + " "
	if len(full)+len(j.body) <= s.maxMsg {
		return []byte(full + string(j.body))
	}
	full = head + sd(true) + " "
	room := max(s.maxMsg-len(full), 0)
	body := j.body[:min(room, len(j.body))]
	for len(body) > 0 && !utf8.Valid(body) { // do not split a character
		body = body[:len(body)-1]
	}
	return []byte(full + string(body))
}

func (s *syslogClient) do(ctx context.Context, j *job) result {
	msg := s.format(j)
	frame := msg
	switch {
	case s.network == "udp":
	case s.octets:
		frame = append([]byte(strconv.Itoa(len(msg))+" "), msg...)
	default:
		frame = append(msg, '\n')
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil && s.network != "udp" && closedByPeer(s.conn) {
		s.conn.Close()
		s.conn = nil
	}
	if s.conn == nil {
		c, err := s.dial(ctx)
		if err != nil {
			return result{err: fmt.Errorf("syslog %s %s: %w", s.network, s.addr, err), retry: true}
		}
		s.conn = c
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = s.conn.SetWriteDeadline(dl)
	}
	if _, err := s.conn.Write(frame); err != nil {
		s.conn.Close()
		s.conn = nil
		return result{err: fmt.Errorf("syslog %s %s: %w", s.network, s.addr, err), retry: true}
	}
	detail := fmt.Sprintf("sent %d bytes", len(msg))
	if len(msg) >= s.maxMsg && strings.Contains(string(msg[:min(len(msg), 1024)]), `truncated="true"`) {
		detail += " (message cut to max_message)"
	}
	return result{detail: detail}
}

// closedByPeer reports whether the server closed a stream connection. A
// write to such a connection succeeds and the message is lost (the reset
// shows only on the next write), so it is checked before each message: a
// syslog server sends nothing, so a read that does not time out at once
// means end of stream or an error.
func closedByPeer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
	defer c.SetReadDeadline(time.Time{})
	var b [1]byte
	_, err := c.Read(b[:])
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return err != nil
}

func (s *syslogClient) dial(ctx context.Context) (net.Conn, error) {
	switch s.network {
	case "tls":
		d := &tls.Dialer{Config: s.tlsCfg}
		return d.DialContext(ctx, "tcp", s.addr)
	default:
		var d net.Dialer
		return d.DialContext(ctx, s.network, s.addr)
	}
}

func (s *syslogClient) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
