package weblog

import (
	"context"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// WebLog maps Apache httpd and nginx access and error logs to ECS, from
// files or as the message of a syslog record:
//
//	[VHOST[:PORT] ]HOST IDENT USER [DD/Mon/YYYY:HH:MM:SS ZONE] "REQUEST" STATUS BYTES ["REFERER" "USER-AGENT" …]
//	[Www Mon DD HH:MM:SS[.ffffff] YYYY] [[MODULE:]LEVEL] [pid N[:tid N]] [client ADDR[:PORT]] TEXT
//	YYYY/MM/DD HH:MM:SS [LEVEL] PID#TID: [*CID ]TEXT[, client: ADDR, server: NAME, request: "…", host: "…"]
//
// (common and combined log formats with and without a virtual host, the
// Apache 2.2/2.4 error log, and the nginx error log). The first test is
// the message's first bytes and the place of its first " [", so other
// events cost a few nanoseconds.
type WebLog struct{}

// New returns the web server log normaliser.
func New() *WebLog { return &WebLog{} }

// Name implements pipeline.Processor.
func (*WebLog) Name() string { return "normalize_weblog" }

// Process implements pipeline.Processor. It never drops an event.
func (w *WebLog) Process(_ context.Context, events []*event.Event) []*event.Event {
	for _, e := range events {
		w.Normalize(e)
	}
	return events
}

// Normalize maps one event and reports whether it was a web server log line.
func (w *WebLog) Normalize(e *event.Event) bool {
	msg := e.Message()
	if len(msg) < 20 {
		return false
	}
	switch c := msg[0]; {
	case c == '[':
		if apacheError(e, msg) {
			return true
		}
		// An access log line whose virtual host is an IPv6 address.
	case c >= '1' && c <= '2' && msg[4] == '/' && msg[7] == '/':
		return nginxError(e, msg)
	}
	return accessLog(e, msg)
}

// clfTime is the layout of the common log format's time.
const clfTime = "02/Jan/2006:15:04:05 -0700"

func accessLog(e *event.Event, msg string) bool {
	head := msg
	if len(head) > 512 {
		head = head[:512]
	}
	lb := strings.Index(head, " [")
	if lb < 5 || lb+len(clfTime)+3 > len(msg) || msg[lb+2] < '0' || msg[lb+2] > '3' || msg[lb+2+len(clfTime)] != ']' {
		return false
	}
	ts, err := time.Parse(clfTime, msg[lb+2:lb+2+len(clfTime)])
	if err != nil {
		return false
	}
	// Before the time: [vhost] host ident user.
	var words [5]string
	n := 0
	for _, w := range strings.Split(msg[:lb], " ") {
		if w == "" {
			continue
		}
		if n == len(words) {
			return false
		}
		words[n] = w
		n++
	}
	var vhost, host, user string
	switch n {
	case 3:
		host, user = words[0], words[2]
	case 4:
		vhost, host, user = words[0], words[1], words[3]
	default:
		return false
	}
	c := scan.New(msg[lb+3+len(clfTime):])
	c.Lit(` "`)
	req, ok := quotedField(&c)
	c.Lit(" ")
	status := c.Word()
	size := c.UntilOrEnd(" ")
	if !ok || !c.OK() || !validStatus(status) {
		return false
	}
	var referrer, agent, tail string
	if c.Maybe(`"`) {
		referrer, _ = quotedField(&c)
		if c.Maybe(` "`) {
			agent, _ = quotedField(&c)
			tail = strings.TrimSpace(c.Rest())
		}
	}

	setTime(e, ts)
	ecsfield.Addr(e, "source", host)
	if user != "-" && user != "" {
		e.Set("user.name", event.String(user))
	}
	if vhost != "" && vhost != "-" {
		setHostPort(e, "destination", vhost)
	}
	setRequest(e, req)
	code, _ := scan.Atoi(status)
	if status != "-" {
		e.Set("http.response.status_code", event.Int(code))
	}
	if size == "-" {
		e.Set("http.response.body.bytes", event.Int(0))
	} else {
		ecsfield.Int(e, "http.response.body.bytes", size)
	}
	if referrer != "-" && referrer != "" {
		e.Set("http.request.referrer", event.String(referrer))
	}
	if agent != "-" && agent != "" {
		e.Set("user_agent.original", event.String(agent))
	}
	outcome := ecsfield.Success
	if code >= 400 || status == "-" {
		outcome = ecsfield.Failure
	}
	if result, hier, ok := squidTag(tail); ok {
		if strings.Contains(result, "DENIED") {
			outcome = ecsfield.Failure
		}
		squidFields(e, result, hier)
	}
	e.Set("event.kind", event.String("event"))
	ecsfield.Categorize(e, ecsfield.Web, ecsfield.TypeAccess, outcome)
	return true
}

func validStatus(s string) bool {
	if s == "-" {
		return true
	}
	n, ok := scan.Atoi(s)
	return ok && len(s) == 3 && n >= 100
}

// quotedField reads a double-quoted field whose closing quote has been
// reached when the cursor is just past the opening one; Apache escapes
// quotes inside as \". It returns the raw text between the quotes.
func quotedField(c *scan.Cursor) (string, bool) {
	s := c.Rest()
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v := s[:i]
			*c = scan.New(s[i+1:])
			return v, true
		}
	}
	c.Fail()
	return "", false
}

// setRequest maps "METHOD TARGET PROTOCOL" (the request line as logged).
func setRequest(e *event.Event, req string) {
	if req == "" || req == "-" {
		return
	}
	method, rest, ok := strings.Cut(req, " ")
	if !ok || !isMethod(method) {
		return // not a request line (a TLS handshake, a scanner's junk): it stays in the message
	}
	e.Set("http.request.method", event.String(method))
	target := rest
	if i := strings.LastIndex(rest, " HTTP/"); i >= 0 {
		target = rest[:i]
		e.Set("http.version", event.String(rest[i+6:]))
	}
	if target == "" {
		return
	}
	e.Set("url.original", event.String(target))
	if method == "CONNECT" && target[0] != '/' {
		// A proxy's tunnel: the target is the server's host:port, no path.
		setAuthority(e, target)
		return
	}
	path, query, hasQuery := strings.Cut(target, "?")
	if scheme, after, ok := strings.Cut(path, "://"); ok {
		// An absolute target (a proxy request): the path starts after the host.
		host, p, _ := strings.Cut(after, "/")
		if isScheme(scheme) {
			e.Set("url.scheme", event.String(strings.ToLower(scheme)))
		}
		setAuthority(e, host)
		path = "/" + p
	}
	e.Set("url.path", event.String(path))
	if hasQuery {
		e.Set("url.query", event.String(query))
	}
	if slash := strings.LastIndexByte(path, '/'); slash >= 0 {
		if dot := strings.LastIndexByte(path[slash:], '.'); dot > 0 && dot < len(path[slash:])-1 {
			e.Set("url.extension", event.String(strings.ToLower(path[slash+dot+1:])))
		}
	}
}

// setAuthority maps a URL's host[:port] (an IPv6 host in brackets) to
// url.domain and url.port.
func setAuthority(e *event.Event, hostport string) {
	host := hostport
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && (hostport[0] == '[' || strings.Count(hostport, ":") == 1) {
		if n, ok := scan.Atoi(hostport[i+1:]); ok && n > 0 && n <= 65535 {
			host = hostport[:i]
			e.Set("url.port", event.Int(n))
		}
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host != "" {
		e.Set("url.domain", event.String(host))
	}
}

// isScheme reports whether s is a URL scheme (letters, digits, + - .).
func isScheme(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if (c < 'a' || c > 'z') && (s[i] < '0' || s[i] > '9' || i == 0) && s[i] != '+' && s[i] != '-' && s[i] != '.' {
			return false
		}
	}
	return true
}

// squidTag reads the "%Ss:%Sh" that Squid's combined logformat appends
// to Apache's combined: the result code (TCP_MISS, TCP_TUNNEL,
// TCP_DENIED …, NONE) and the hierarchy code (HIER_DIRECT …).
func squidTag(s string) (result, hier string, ok bool) {
	result, hier, ok = strings.Cut(s, ":")
	if !ok || !isMethod(result) || !isMethod(hier) {
		return "", "", false
	}
	if !strings.HasPrefix(result, "TCP_") && !strings.HasPrefix(result, "UDP_") && !strings.HasPrefix(result, "NONE") && !strings.HasPrefix(result, "TAG_") {
		return "", "", false
	}
	if !strings.HasPrefix(hier, "HIER_") && hier != "NONE" {
		return "", "", false
	}
	return result, hier, true
}

// squidFields marks a Squid line as the squid.access pipeline maps the
// native format: the result code is the action, the server's port the
// URL's or the scheme's.
func squidFields(e *event.Event, result, hier string) {
	e.Set("squid.result_code", event.String(result))
	e.Set("squid.hierarchy_code", event.String(hier))
	e.Set("event.action", event.String(result))
	e.Set("observer.product", event.String("Squid"))
	e.Set("observer.type", event.String("proxy"))
	if v, ok := e.Get("url.port"); ok {
		e.Set("destination.port", v)
		return
	}
	switch e.GetString("url.scheme") {
	case "http":
		e.Set("destination.port", event.Int(80))
	case "https":
		e.Set("destination.port", event.Int(443))
	case "ftp":
		e.Set("destination.port", event.Int(21))
	}
}

// isMethod reports whether s looks like an HTTP method token (upper-case
// letters, as RFC 9110 methods and WebDAV's are).
func isMethod(s string) bool {
	if len(s) == 0 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// apacheError maps an Apache 2.2/2.4 error log line.
func apacheError(e *event.Event, msg string) bool {
	end := strings.IndexByte(msg, ']')
	if end < 24 || end > 40 {
		return false
	}
	ts, ok := apacheTime(msg[1:end])
	if !ok {
		return false
	}
	c := scan.New(msg[end+1:])
	c.Lit(" [")
	lvl := c.Until("]")
	if !c.OK() || lvl == "" || len(lvl) > 40 {
		return false
	}
	module, level, hasModule := strings.Cut(lvl, ":")
	if !hasModule {
		level, module = module, ""
	}
	if !isLogLevel(level) {
		return false
	}
	setTime(e, ts)
	e.Set("log.level", event.String(level))
	ecsfield.Str(e, "apache.error.module", module)
	for c.Maybe(" [") {
		part := c.Until("]")
		switch {
		case strings.HasPrefix(part, "pid "):
			pid, tid, _ := strings.Cut(part[4:], ":tid ")
			ecsfield.Int(e, "process.pid", pid)
			ecsfield.Int(e, "process.thread.id", tid)
		case strings.HasPrefix(part, "client "), strings.HasPrefix(part, "remote "):
			addr := part[7:]
			// Apache 2.4 (the "[module:level]" form) always writes
			// "IP:PORT", an IPv6 address without brackets.
			if hasModule && strings.Count(addr, ":") > 1 && !strings.HasPrefix(addr, "[") {
				if i := strings.LastIndexByte(addr, ':'); ecsfield.IP(e, "source.ip", addr[:i]) {
					ecsfield.Port(e, "source.port", addr[i+1:])
					continue
				}
			}
			setHostPort(e, "source", addr)
		}
	}
	text := strings.TrimSpace(c.Rest())
	if code, rest, ok := strings.Cut(text, ": "); ok && len(code) == 7 && strings.HasPrefix(code, "AH") {
		e.Set("error.code", event.String(code))
		text = rest
	}
	ecsfield.Str(e, "error.message", text)
	webError(e, level)
	if !modSecurity(e, text) {
		authFailure(e, text)
	}
	return true
}

// apacheTime parses "Sun Dec 04 04:47:44 2005" and
// "Fri Sep 09 10:42:29.902022 2011" (local time of the server, taken as UTC).
func apacheTime(s string) (time.Time, bool) {
	for _, layout := range [...]string{"Mon Jan 02 15:04:05 2006", "Mon Jan 02 15:04:05.000000 2006", "Mon Jan _2 15:04:05 2006"} {
		if len(s) == len(layout) {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// nginxError maps an nginx error log line.
func nginxError(e *event.Event, msg string) bool {
	if len(msg) < 22 || msg[19] != ' ' || msg[20] != '[' {
		return false
	}
	ts, err := time.Parse("2006/01/02 15:04:05", msg[:19])
	if err != nil {
		return false
	}
	c := scan.New(msg[21:])
	level := c.Until("] ")
	pid := c.Until("#")
	tid := c.Until(": ")
	if !c.OK() || !isLogLevel(level) {
		return false
	}
	setTime(e, ts)
	e.Set("log.level", event.String(level))
	ecsfield.Int(e, "process.pid", pid)
	ecsfield.Int(e, "process.thread.id", tid)
	text := c.Rest()
	if strings.HasPrefix(text, "*") {
		id, rest, _ := strings.Cut(text[1:], " ")
		ecsfield.Int(e, "nginx.error.connection_id", id)
		text = rest
	}
	// Trailing context: ", client: A, server: S, request: "R", host: "H"".
	if i := strings.Index(text, ", client: "); i >= 0 {
		for _, kv := range strings.Split(text[i+2:], ", ") {
			k, v, ok := strings.Cut(kv, ": ")
			if !ok {
				continue
			}
			v = strings.Trim(v, `"`)
			switch k {
			case "client":
				ecsfield.Addr(e, "source", v)
			case "server":
				// server_name, or the listen address ("0.0.0.0:443",
				// "[::]:443") of a server without one.
				setHostPort(e, "destination", v)
			case "request":
				setRequest(e, v)
			case "host":
				ecsfield.Str(e, "url.domain", v)
			}
		}
		text = text[:i]
	}
	ecsfield.Str(e, "error.message", text)
	webError(e, level)
	if !modSecurity(e, text) {
		authFailure(e, text)
	}
	return true
}

func webError(e *event.Event, level string) {
	typ := ecsfield.TypeInfo
	switch level {
	case "emerg", "alert", "crit", "error":
		typ = ecsfield.TypeError
	}
	e.Set("event.kind", event.String("event"))
	ecsfield.Categorize(e, ecsfield.Web, typ, "")
}

func isLogLevel(s string) bool {
	switch s {
	case "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug":
		return true
	}
	return strings.HasPrefix(s, "trace") && len(s) == 6
}

// setHostPort sets prefix.ip (or .domain) and prefix.port from "ADDR:PORT",
// "[V6]:PORT" or "ADDR".
func setHostPort(e *event.Event, prefix, s string) {
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]:"); i > 0 {
			ecsfield.Addr(e, prefix, s[1:i])
			ecsfield.Port(e, prefix+".port", s[i+2:])
			return
		}
	}
	if strings.Count(s, ":") == 1 {
		host, port, _ := strings.Cut(s, ":")
		ecsfield.Addr(e, prefix, host)
		ecsfield.Port(e, prefix+".port", port)
		return
	}
	ecsfield.Addr(e, prefix, s)
}
