package response

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	fwsyslog "github.com/vigilsiem/vigil/internal/forward/syslog"
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

// syslogClient sends each job as one RFC 5424 message, written and sent by
// the syslog output's writer and connection (internal/forward/syslog).
type syslogClient struct {
	network  string
	octets   bool
	facility int
	host     string
	app      string
	sdid     string
	maxMsg   int
	now      func() time.Time

	mu   sync.Mutex // workers share the connection
	conn *fwsyslog.Conn
}

func newSyslog(c *config.SyslogResponse) (*syslogClient, error) {
	fac, err := config.SyslogFacility(c.Facility)
	if err != nil {
		return nil, fmt.Errorf("syslog: %w", err)
	}
	s := &syslogClient{network: c.Network, octets: c.Framing == fwsyslog.FramingOctet, facility: fac,
		host: c.Hostname, app: c.AppName, sdid: c.SDID, maxMsg: int(c.MaxMessage), now: time.Now}
	if s.host == "" {
		s.host = hostname()
	}
	var tlsCfg *tls.Config
	if c.Network == fwsyslog.ProtoTLS {
		tc := c.TLS
		tc.Enabled = true
		if tlsCfg, err = tc.ClientConfig(); err != nil {
			return nil, fmt.Errorf("syslog: %w", err)
		}
	}
	// The attempt's context bounds connecting and writing (the response's
	// timeout).
	s.conn = fwsyslog.NewConn(c.Network, c.Address, tlsCfg, 0)
	return s, nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "-"
	}
	return h
}

// format renders the RFC 5424 message of a job, without framing: MSGID is
// the kind, the structured data holds the tenant, subject, rule, level,
// reason and delivery id, and MSG the envelope. A MSG that would make the
// message longer than maxMsg is cut at a character boundary, and the
// structured data says so (truncated="true").
func (s *syslogClient) format(j *job) []byte {
	h := fwsyslog.Header{Facility: s.facility, Severity: syslogSeverity(j.level), Time: s.now(), Hostname: s.host,
		AppName: s.app, ProcID: strconv.Itoa(os.Getpid()), MsgID: j.kind, SDID: s.sdid}
	for _, p := range [][2]string{{"tenant", j.tenant}, {"id", j.subject}, {"rule_id", j.ruleID}, {"level", j.level},
		{"reason", j.reason}, {"delivery", j.delivery}} {
		if p[1] != "" {
			h.Params = append(h.Params, fwsyslog.Param{Name: p[0], Value: p[1]})
		}
	}
	msg := fwsyslog.AppendHeader(nil, &h)
	if len(msg)+len(j.body) <= s.maxMsg {
		return append(msg, j.body...)
	}
	h.Params = append(h.Params, fwsyslog.Param{Name: "truncated", Value: "true"})
	msg = fwsyslog.AppendHeader(msg[:0], &h)
	body := j.body[:min(max(s.maxMsg-len(msg), 0), len(j.body))]
	for len(body) > 0 && !utf8.Valid(body) { // do not split a character
		body = body[:len(body)-1]
	}
	return append(msg, body...)
}

func (s *syslogClient) do(ctx context.Context, j *job) result {
	msg := s.format(j)
	frame := msg
	if s.network != fwsyslog.ProtoUDP {
		frame = fwsyslog.AppendFrame(nil, msg, s.octets)
	}
	s.mu.Lock()
	err := s.conn.Write(ctx, frame)
	s.mu.Unlock()
	if err != nil {
		return result{err: fmt.Errorf("syslog %s: %w", s.network, err), retry: true}
	}
	detail := fmt.Sprintf("sent %d bytes", len(msg))
	if len(msg) >= s.maxMsg && strings.Contains(string(msg[:min(len(msg), 1024)]), `truncated="true"`) {
		detail += " (message cut to max_message)"
	}
	return result{detail: detail}
}

func (s *syslogClient) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn.Close()
}
