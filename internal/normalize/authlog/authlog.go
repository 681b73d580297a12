package authlog

import (
	"context"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// AuthLog maps the Linux authentication log (auth.log, secure) to ECS:
// OpenSSH's sshd (logins accepted and failed by method, invalid users,
// disconnects, too many failures, reverse-mapping warnings), sudo command
// lines, su, login, and the PAM lines any of them write
// ("pam_unix(sshd:auth): authentication failure; … rhost=… user=…",
// "session opened for user … by …"); cron's job lines ("(USER) CMD
// (COMMAND)" from CRON, cron or crond) and systemd's session lines
// ("Started Session N of user U.", "New session N of user U.", whatever
// the program).
//
// The first test is the syslog program name (process.name): sshd,
// sshd-session, sshd-auth, sudo, su, login, with or without a
// "(pam_unix)" suffix. Fields ECS lacks go under system.auth.* (the names
// Filebeat's system module uses).
//
// The auto parser splits "key=value" text, so a PAM or sudo line may
// arrive as a short message ("alice :") plus top-level fields (TTY, PWD,
// USER, COMMAND). The normaliser then reads the line from event.original
// again and removes those top-level fields once it has mapped them.
type AuthLog struct{}

// New returns the auth log normaliser.
func New() *AuthLog { return &AuthLog{} }

// Name implements pipeline.Processor.
func (*AuthLog) Name() string { return "normalize_authlog" }

// Process implements pipeline.Processor. It never drops an event.
func (a *AuthLog) Process(_ context.Context, events []*event.Event) []*event.Event {
	for _, e := range events {
		a.Normalize(e)
	}
	return events
}

// Normalize maps one event and reports whether it was an auth log line
// it understood.
func (a *AuthLog) Normalize(e *event.Event) bool {
	pn := e.GetString("process.name")
	if pn != "" && syslogLine(e, pn) {
		return true
	}
	// A journal entry, bare or behind a forwarder's syslog header (whose
	// program is then the forwarder).
	return journalLine(e)
}

// syslogLine maps an auth log line whose syslog program is pn.
func syslogLine(e *event.Event, pn string) bool {
	if len(pn) < 2 {
		return false
	}
	if pn[0] == 'C' || pn[0] == 'c' {
		return cronLine(e, pn)
	}
	if sessionLine(e) {
		return true
	}
	if pn[0] != 's' && pn[0] != 'l' {
		return false
	}
	prog, pam := strings.CutSuffix(pn, "(pam_unix)")
	switch prog {
	case "sshd", "sshd-session", "sshd-auth", "sudo", "su", "login":
	default:
		return false
	}
	body, split := authBody(e, pn)
	if body == "" {
		return false
	}
	rest, times, rep := repeated(body)
	if rep {
		body = rest
	}
	var ok bool
	switch {
	case pam:
		ok = pamLine(e, prog, "", "", body)
	case strings.HasPrefix(body, "pam_"):
		ok = pamPrefixed(e, body)
	case prog == "sudo":
		ok = sudoLine(e, body)
	case prog == "su":
		ok = suLine(e, body)
	case prog == "login":
		ok = loginLine(e, body)
	default:
		ok = sshdLine(e, body)
	}
	if !ok {
		return false
	}
	if rep {
		e.Set("system.auth.repeated", event.Int(times))
	}
	e.Set("event.kind", event.String("event"))
	if split {
		// The fields the kv split made are mapped now: drop them and keep
		// the whole line as the message.
		dropSplitFields(e, body)
		e.Set(event.FieldMessage, event.String(body))
	}
	return true
}

// journalLine maps a systemd journal entry (journalctl -o json) before the
// journald pipeline renames its fields: the program is SYSLOG_IDENTIFIER
// and the line MESSAGE. Only the sshd, sudo and su lines: the journal's
// own fields say the rest.
func journalLine(e *event.Event) bool {
	// A journal entry is a JSON object: other lines are not looked up.
	if o := strings.TrimRight(e.Original, " \r\n"); o == "" || o[len(o)-1] != '}' {
		return false
	}
	pn := e.GetString("SYSLOG_IDENTIFIER")
	if len(pn) < 2 || pn[0] != 's' {
		return false
	}
	body := strings.TrimSpace(e.GetString("MESSAGE"))
	if body == "" {
		return false
	}
	var ok bool
	switch {
	case pn != "sshd" && pn != "sshd-session" && pn != "sshd-auth" && pn != "sudo" && pn != "su":
		return false
	case strings.HasPrefix(body, "pam_"):
		ok = pamPrefixed(e, body)
	case pn == "sudo":
		ok = sudoLine(e, body)
	case pn == "su":
		ok = suLine(e, body)
	default:
		ok = sshdLine(e, body)
	}
	// No event.kind: the journald pipeline, which sets it, still has the
	// journal's fields to map (pipelines skip events a normaliser kinded).
	return ok
}

// authBody returns the text after the program tag. When the auto parser
// split key=value pairs out of the line (top-level fields without a dot
// whose "NAME=" occurs in it), the line is read again from
// event.original, after "PROGRAM[PID]: "; split reports that.
func authBody(e *event.Event, pn string) (string, bool) {
	msg := strings.TrimSpace(e.Message())
	orig := strings.TrimRight(e.Original, " \r\n\x00")
	if orig == "" || strings.HasSuffix(orig, msg) {
		return msg, false
	}
	from := strings.Index(orig, pn)
	if from < 0 {
		return msg, false
	}
	body := orig[from+len(pn):]
	if strings.HasPrefix(body, "[") {
		if i := strings.IndexByte(body, ']'); i > 0 {
			body = body[i+1:]
		}
	}
	body = strings.TrimSpace(strings.TrimPrefix(body, ":"))
	for _, f := range e.Fields {
		if isSplitField(f.Name, body) {
			return body, true
		}
	}
	return msg, false
}

func isSplitField(name, body string) bool {
	return name != event.FieldMessage && !strings.Contains(name, ".") && strings.Contains(body, name+"=")
}

// dropSplitFields removes the top-level fields (names without a dot) that
// the kv split took from body.
func dropSplitFields(e *event.Event, body string) {
	out := e.Fields[:0]
	for _, f := range e.Fields {
		if !isSplitField(f.Name, body) {
			out = append(out, f)
		}
	}
	clear(e.Fields[len(out):])
	e.Fields = out
	e.Reindex()
}

// repeated unwraps syslogd's "message repeated N times: [ TEXT]".
func repeated(s string) (string, int64, bool) {
	c := scan.New(s)
	c.Lit("message repeated ")
	n, _ := scan.Atoi(c.Digits())
	c.Lit(" times: [")
	if !c.OK() {
		return s, 0, false
	}
	return strings.TrimSpace(strings.TrimSuffix(c.Rest(), "]")), n, true
}

// sshd event.action values.
const (
	sshLogin       = "ssh-login"
	sshInvalidUser = "ssh-invalid-user"
	sshDisconnect  = "ssh-disconnect"
	sshTooMany     = "ssh-too-many-failures"
)

func sshdLine(e *event.Event, s string) bool {
	s = strings.TrimSuffix(s, " [preauth]")
	c := scan.New(s)
	switch {
	case c.Maybe("Accepted "), c.Maybe("Failed "), c.Maybe("Postponed "):
		// {Accepted|Failed|Postponed} METHOD for [invalid user ]USER from ADDR port PORT PROTO[: SIGNATURE]
		verb := s[:strings.IndexByte(s, ' ')]
		method := c.Word()
		c.Lit("for ")
		invalid := c.Maybe("invalid user ")
		user := c.UntilLast(" from ")
		addr := c.Word()
		c.Lit("port ")
		port := c.Digits()
		sig := ""
		if _, after, ok := strings.Cut(c.Rest(), ": "); ok {
			sig = after
		}
		if !c.OK() {
			return false
		}
		outcome := ecsfield.Failure
		switch verb {
		case "Accepted":
			outcome = ecsfield.Success
		case "Postponed":
			outcome = ecsfield.Unknown
		}
		e.Set("event.action", event.String(sshLogin))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, outcome)
		e.Set("system.auth.ssh.event", event.String(verb))
		e.Set("system.auth.ssh.method", event.String(method))
		ecsfield.Str(e, "system.auth.ssh.signature", sig)
		if invalid {
			e.Set("system.auth.ssh.invalid_user", event.Bool(true))
		}
		ecsfield.Str(e, "user.name", user)
		ecsfield.Addr(e, "source", addr)
		ecsfield.Port(e, "source.port", port)
		return true
	case c.Maybe("error: PAM: Authentication failure for "):
		// error: PAM: Authentication failure for [illegal user ]USER from HOST
		invalid := c.Maybe("illegal user ")
		user := c.UntilLast(" from ")
		addr := strings.TrimSpace(c.Rest())
		if !c.OK() || user == "" {
			return false
		}
		e.Set("event.action", event.String(sshLogin))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Failure)
		if invalid {
			e.Set("system.auth.ssh.invalid_user", event.Bool(true))
		}
		ecsfield.Str(e, "user.name", user)
		ecsfield.Addr(e, "source", addr)
		return true
	case c.Maybe("Invalid user "), c.Maybe("input_userauth_request: invalid user "):
		// Invalid user USER from ADDR[ port PORT]
		rest := c.Rest()
		user, addr := rest, ""
		if i := strings.LastIndex(rest, " from "); i >= 0 {
			user, addr = rest[:i], rest[i+6:]
		}
		addr, port, _ := strings.Cut(addr, " port ")
		e.Set("event.action", event.String(sshInvalidUser))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeInfo, ecsfield.Failure)
		ecsfield.Str(e, "user.name", user)
		ecsfield.Addr(e, "source", addr)
		ecsfield.Port(e, "source.port", port)
		return true
	case c.Maybe("Connection closed by "), c.Maybe("Connection reset by "), c.Maybe("Disconnected from "):
		// … [authenticating user USER |invalid user USER |user USER ]ADDR[ port PORT]
		// A user still authenticating (or invalid) who leaves has failed
		// to log in; a logged-in user's disconnect ends a session.
		rest := c.Rest()
		outcome := ""
		for _, p := range [...]string{"authenticating user ", "invalid user ", "user "} {
			if r, ok := strings.CutPrefix(rest, p); ok {
				i := strings.LastIndex(r, " ")
				if j := strings.Index(r, " port "); j > 0 {
					i = strings.LastIndex(r[:j], " ")
				}
				if i > 0 {
					ecsfield.Str(e, "user.name", r[:i])
					rest = r[i+1:]
				}
				outcome = ecsfield.Failure
				if p == "user " {
					outcome = ecsfield.Success
				}
				break
			}
		}
		addr, port, _ := strings.Cut(rest, " port ")
		e.Set("event.action", event.String(sshDisconnect))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, outcome)
		ecsfield.Addr(e, "source", addr)
		ecsfield.Port(e, "source.port", port)
		return true
	case c.Maybe("Received disconnect from "), c.Maybe("error: Received disconnect from "):
		// Received disconnect from ADDR[ port PORT]:CODE: TEXT
		head := c.Until(": ")
		addr, port, hasPort := strings.Cut(head, " port ")
		if !hasPort {
			if i := strings.LastIndexByte(head, ':'); i > 0 && strings.Count(head, ":") == 1 {
				addr = head[:i]
			}
		} else if i := strings.IndexByte(port, ':'); i >= 0 {
			port = port[:i]
		}
		if !c.OK() {
			return false
		}
		e.Set("event.action", event.String(sshDisconnect))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, "")
		ecsfield.Addr(e, "source", addr)
		ecsfield.Port(e, "source.port", port)
		reason := strings.TrimSpace(c.Rest())
		if code, text, ok := strings.Cut(reason, ": "); ok {
			if _, num := scan.Atoi(code); num {
				reason = text
			}
		}
		ecsfield.Str(e, "event.reason", reason)
		return true
	case c.Maybe("Disconnecting: Too many authentication failures"), c.Maybe("error: maximum authentication attempts exceeded for "),
		c.Maybe("Disconnecting invalid user "), c.Maybe("Disconnecting authenticating user "):
		rest := strings.TrimPrefix(c.Rest(), " for ")
		rest, _, _ = strings.Cut(rest, ": Too many")
		rest = strings.TrimPrefix(rest, "invalid user ")
		user, addr := rest, ""
		if i := strings.LastIndex(rest, " from "); i >= 0 {
			user, addr = rest[:i], rest[i+6:]
		} else if i := strings.Index(rest, " port "); i > 0 {
			if j := strings.LastIndex(rest[:i], " "); j > 0 {
				user, addr = rest[:j], rest[j+1:]
			}
		}
		addr, port, _ := strings.Cut(addr, " port ")
		port, _, _ = strings.Cut(port, " ")
		e.Set("event.action", event.String(sshTooMany))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeInfo, ecsfield.Failure)
		ecsfield.Str(e, "user.name", strings.TrimSpace(user))
		ecsfield.Addr(e, "source", addr)
		ecsfield.Port(e, "source.port", port)
		return true
	case c.Maybe("drop connection #"):
		// drop connection #N from [ADDR]:PORT on [ADDR]:PORT past MaxStartups
		// drop connection #N from [ADDR]:PORT on [ADDR]:PORT penalty: REASON
		c.Digits()
		c.Lit(" from [")
		sa := c.Until("]:")
		sp := c.Until(" on [")
		da := c.Until("]:")
		dp := c.Word()
		if !c.OK() {
			return false
		}
		action, reason := "ssh-maxstartups-drop", ""
		if r, ok := strings.CutPrefix(c.Rest(), "penalty: "); ok {
			action, reason = "ssh-penalty-drop", r
		}
		e.Set("event.action", event.String(action))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionDenied, ecsfield.Failure)
		ecsfield.Addr(e, "source", sa)
		ecsfield.Port(e, "source.port", sp)
		ecsfield.Addr(e, "destination", da)
		ecsfield.Port(e, "destination.port", dp)
		ecsfield.Str(e, "event.reason", reason)
		return true
	case c.Maybe("kex_exchange_identification: "), c.Maybe("error: kex_exchange_identification: "):
		// The client went before the key exchange (the next line, "Connection
		// closed by ADDR", names it). "Unable to negotiate" and "banner
		// exchange" failures are the linux.authlog_extra pipeline's.
		e.Set("event.action", event.String("ssh-kex-failed"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnection, ecsfield.Failure)
		ecsfield.Str(e, "event.reason", c.Rest())
		return true
	case c.Maybe("Did not receive identification string from "):
		addr, port, _ := strings.Cut(c.Rest(), " port ")
		e.Set("event.action", event.String("ssh-no-identification"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnection, ecsfield.Failure)
		ecsfield.Addr(e, "source", addr)
		ecsfield.Port(e, "source.port", port)
		return true
	case c.Maybe("Connection from "):
		// Connection from ADDR port PORT on ADDR port PORT[ rdomain "…"]
		src := c.Until(" on ")
		dst := c.UntilOrEnd(" rdomain")
		if !c.OK() {
			return false
		}
		sa, sp, _ := strings.Cut(src, " port ")
		da, dp, _ := strings.Cut(dst, " port ")
		e.Set("event.action", event.String("ssh-connection"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionStart, "")
		ecsfield.Addr(e, "source", sa)
		ecsfield.Port(e, "source.port", sp)
		ecsfield.Addr(e, "destination", da)
		ecsfield.Port(e, "destination.port", dp)
		return true
	case c.Maybe("reverse mapping checking getaddrinfo for "):
		// reverse mapping checking getaddrinfo for HOST [ADDR] failed - POSSIBLE BREAK-IN ATTEMPT!
		host := c.Until(" [")
		addr := c.Until("]")
		if !c.OK() {
			return false
		}
		e.Set("event.action", event.String("ssh-reverse-mapping-failed"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeInfo, "")
		ecsfield.Addr(e, "source", addr)
		ecsfield.Str(e, "source.domain", host)
		return true
	case c.Maybe("Address "):
		// Address ADDR maps to HOST, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!
		addr := c.Until(" maps to ")
		host := c.Until(", but ")
		if !c.OK() {
			return false
		}
		e.Set("event.action", event.String("ssh-reverse-mapping-failed"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeInfo, "")
		ecsfield.Addr(e, "source", addr)
		ecsfield.Str(e, "source.domain", host)
		return true
	case c.Maybe("User "):
		// User USER from ADDR not allowed because …
		user := c.Until(" from ")
		addr := c.Until(" not allowed because ")
		if !c.OK() {
			return false
		}
		e.Set("event.action", event.String("ssh-user-not-allowed"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeInfo, ecsfield.Failure)
		ecsfield.Str(e, "user.name", user)
		ecsfield.Addr(e, "source", addr)
		ecsfield.Str(e, "event.reason", c.Rest())
		return true
	case c.Maybe("PAM "):
		// PAM N more authentication failure(s); logname= uid=0 euid=0 tty=ssh ruser= rhost=ADDR[  user=USER]
		return pamLine(e, "sshd", "auth", "", s)
	}
	return false
}

// pamPrefixed maps "pam_MODULE(SERVICE:TYPE): TEXT".
func pamPrefixed(e *event.Event, s string) bool {
	c := scan.New(s)
	module := c.Until("(")
	svc := c.Until(":")
	typ := c.Until("): ")
	if !c.OK() || strings.ContainsAny(module, " )") {
		return false
	}
	return pamLine(e, svc, typ, module, c.Rest())
}

// pamLine maps what pam_unix (and modules like it) log.
func pamLine(e *event.Event, svc, typ, module, s string) bool {
	c := scan.New(s)
	switch {
	case strings.Contains(s, "authentication failure"):
		// [N more ]authentication failure[s]; logname=A uid=N euid=N tty=T ruser=R rhost=H[  user=U]
		_, kvs, _ := strings.Cut(s, ";")
		var user, ruser string
		for _, kv := range strings.Fields(kvs) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "user":
				user = v
			case "ruser":
				ruser = v
			case "rhost":
				ecsfield.Addr(e, "source", v)
			case "logname", "uid", "euid", "tty":
				ecsfield.Str(e, "system.auth.pam."+k, v)
			}
		}
		setSwitchUser(e, ruser, user)
		e.Set("event.action", event.String("pam-authentication-failure"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Failure)
	case c.Maybe("check pass; user unknown"):
		e.Set("event.action", event.String("pam-user-unknown"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeInfo, ecsfield.Failure)
	case c.Maybe("session opened for user "):
		// session opened for user U[(uid=N)] by [B](uid=N)   (B: LOGIN, alice, or nothing)
		user := c.UntilOrEnd(" by ")
		by := c.Rest()
		user, uid := cutUID(user)
		byName, _ := cutUID(by)
		if switchService(svc) && byName != "" {
			setSwitchUser(e, byName, user)
		} else {
			ecsfield.Str(e, "user.name", user)
			ecsfield.Str(e, "user.id", uid)
		}
		e.Set("event.action", event.String("session-opened"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeStart, ecsfield.Success)
	case c.Maybe("session closed for user "):
		user, _ := cutUID(strings.TrimSpace(c.Rest()))
		ecsfield.Str(e, "user.name", user)
		e.Set("event.action", event.String("session-closed"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, ecsfield.Success)
	default:
		return false
	}
	ecsfield.Str(e, "system.auth.pam.module", module)
	ecsfield.Str(e, "system.auth.pam.service", svc)
	ecsfield.Str(e, "system.auth.pam.type", typ)
	return true
}

// cutUID splits "root(uid=0)" into "root" and "0"; "(uid=0)" gives "" and "0".
func cutUID(s string) (string, string) {
	s = strings.TrimSpace(s)
	name, rest, ok := strings.Cut(s, "(uid=")
	if !ok {
		return s, ""
	}
	uid, _, _ := strings.Cut(rest, ")")
	return name, uid
}

// switchService reports whether a PAM service switches users (su, sudo,
// runuser), where the "by" user is the one acting.
func switchService(svc string) bool {
	switch svc {
	case "su", "su-l", "sudo", "sudo-i", "runuser", "runuser-l":
		return true
	}
	return false
}

// setSwitchUser sets user.name to the acting user and
// user.effective.name to the user acted as, when they differ.
func setSwitchUser(e *event.Event, actor, target string) {
	switch {
	case actor != "" && target != "" && actor != target:
		e.Set("user.name", event.String(actor))
		e.Set("user.effective.name", event.String(target))
	case target != "":
		e.Set("user.name", event.String(target))
	case actor != "":
		e.Set("user.name", event.String(actor))
	}
}

// sudoLine maps "USER : [ERROR ; ]TTY=T ; PWD=P ; USER=U ; [GROUP=G ; ][ENV=… ; ]COMMAND=C".
func sudoLine(e *event.Event, s string) bool {
	user, rest, ok := strings.Cut(s, " : ")
	user = strings.TrimSpace(user)
	if !ok || user == "" || strings.ContainsAny(user, " =") {
		return false
	}
	cmd := ""
	if i := strings.Index(rest, "COMMAND="); i >= 0 {
		cmd, rest = rest[i+8:], rest[:i]
	}
	var target, errText, tty, pwd, group string
	for _, seg := range strings.Split(rest, " ; ") {
		seg = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(seg), ";"))
		k, v, ok := strings.Cut(seg, "=")
		if !ok {
			if seg != "" && errText == "" {
				errText = seg
			}
			continue
		}
		switch k {
		case "TTY":
			tty = v
		case "PWD":
			pwd = v
		case "USER":
			target = v
		case "GROUP":
			group = v
		}
	}
	if cmd == "" && errText == "" {
		return false
	}
	ecsfield.Str(e, "system.auth.sudo.tty", tty)
	ecsfield.Str(e, "system.auth.sudo.pwd", pwd)
	ecsfield.Str(e, "group.name", group)
	e.Set("user.name", event.String(user))
	ecsfield.Str(e, "user.effective.name", target)
	if cmd != "" {
		e.Set("process.command_line", event.String(cmd))
		exe, _, _ := strings.Cut(cmd, " ")
		e.Set("process.executable", event.String(exe))
	}
	e.Set("event.action", event.String("sudo-command"))
	if errText != "" {
		e.Set("error.message", event.String(errText))
		ecsfield.Categorize(e, ecsfield.Process, ecsfield.TypeInfo, ecsfield.Failure)
	} else {
		ecsfield.Categorize(e, ecsfield.Process, ecsfield.TypeStart, ecsfield.Success)
	}
	return true
}

// suLine maps su's own lines (shadow-utils and util-linux):
// "Successful su for TARGET by USER", "FAILED su for TARGET by USER",
// "+ TTY USER:TARGET", "- TTY USER:TARGET", "(to TARGET) USER on TTY",
// "FAILED SU (to TARGET) USER on TTY".
func suLine(e *event.Event, s string) bool {
	c := scan.New(s)
	var actor, target, tty, outcome string
	switch {
	case c.Maybe("Successful su for "), c.Maybe("FAILED su for "):
		target = c.Until(" by ")
		actor = c.Rest()
		outcome = ecsfield.Success
		if s[0] == 'F' {
			outcome = ecsfield.Failure
		}
	case c.Maybe("+ "), c.Maybe("- "):
		tty = c.Word()
		actor = c.Until(":")
		target = c.Rest()
		outcome = ecsfield.Success
		if s[0] == '-' {
			outcome = ecsfield.Failure
		}
	case c.Maybe("(to "), c.Maybe("FAILED SU (to "):
		target = c.Until(") ")
		actor = c.UntilOrEnd(" on ")
		tty = c.Rest()
		outcome = ecsfield.Success
		if s[0] == 'F' {
			outcome = ecsfield.Failure
		}
	default:
		return false
	}
	if !c.OK() || actor == "" || target == "" {
		return false
	}
	setSwitchUser(e, actor, target)
	ecsfield.Str(e, "system.auth.su.tty", tty)
	e.Set("event.action", event.String("su"))
	ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, outcome)
	return true
}

// loginLine maps login(1): "ROOT LOGIN ON tty2", "LOGIN ON tty1 BY alice",
// "FAILED LOGIN 1 FROM host FOR alice, Authentication failure".
func loginLine(e *event.Event, s string) bool {
	c := scan.New(s)
	switch {
	case c.Maybe("ROOT LOGIN ON "), c.Maybe("ROOT LOGIN  ON "):
		tty, from, _ := strings.Cut(c.Rest(), " FROM ")
		e.Set("user.name", event.String("root"))
		ecsfield.Str(e, "system.auth.login.tty", tty)
		ecsfield.Addr(e, "source", from)
		e.Set("event.action", event.String("login"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Success)
	case c.Maybe("LOGIN ON "):
		tty := c.Until(" BY ")
		user, from, _ := strings.Cut(c.Rest(), " FROM ")
		if !c.OK() {
			return false
		}
		ecsfield.Str(e, "user.name", user)
		ecsfield.Str(e, "system.auth.login.tty", tty)
		ecsfield.Addr(e, "source", from)
		e.Set("event.action", event.String("login"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Success)
	case c.Maybe("FAILED LOGIN "):
		c.Word()
		from := ""
		if c.Maybe("FROM ") {
			from = c.Word()
		}
		c.Lit("FOR ")
		user, reason, _ := strings.Cut(c.Rest(), ", ")
		if !c.OK() {
			return false
		}
		ecsfield.Addr(e, "source", from)
		ecsfield.Str(e, "user.name", user)
		ecsfield.Str(e, "event.reason", reason)
		e.Set("event.action", event.String("login"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Failure)
	default:
		return false
	}
	return true
}

// cronLine maps cron's job lines, "(USER) CMD (COMMAND)", from CRON, cron
// or crond: user.name, process.command_line (the job's command).
func cronLine(e *event.Event, pn string) bool {
	switch pn {
	case "CRON", "cron", "crond":
	default:
		return false
	}
	body, split := authBody(e, pn)
	user, rest, ok := strings.Cut(strings.TrimPrefix(body, "("), ") CMD (")
	if !strings.HasPrefix(body, "(") || !ok || user == "" || strings.ContainsAny(user, " ()") {
		return false
	}
	ecsfield.Str(e, "user.name", user)
	ecsfield.Str(e, "process.command_line", strings.TrimSuffix(rest, ")"))
	e.Set("event.action", event.String("cron-command"))
	ecsfield.Categorize(e, ecsfield.Process, ecsfield.TypeStart, "")
	e.Set("event.kind", event.String("event"))
	if split {
		dropSplitFields(e, body)
		e.Set(event.FieldMessage, event.String(body))
	}
	return true
}

// sessionLine maps systemd and systemd-logind's session lines, whatever
// the program tag: "Started Session N of user U." and "New session N of
// user U." (user.name, session start), "Removed session N." is left.
func sessionLine(e *event.Event) bool {
	msg := e.Message()
	if len(msg) < 12 || msg[0] != 'S' && msg[0] != 'N' {
		return false
	}
	rest, ok := strings.CutPrefix(msg, "Started Session ")
	if !ok {
		if rest, ok = strings.CutPrefix(msg, "New session "); !ok {
			return false
		}
	}
	id, user, ok := strings.Cut(rest, " of user ")
	user = strings.TrimSuffix(strings.TrimSpace(user), ".")
	if !ok || id == "" || user == "" || strings.ContainsAny(user, " ") {
		return false
	}
	ecsfield.Str(e, "user.name", user)
	e.Set("event.action", event.String("session-started"))
	ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeStart, "")
	e.Set("event.kind", event.String("event"))
	return true
}
