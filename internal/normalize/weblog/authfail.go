package weblog

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
)

// authWeb is event.category of a failed HTTP authentication: it is both.
var authWeb = event.List([]string{"authentication", "web"})

// authFailure maps an error log's HTTP authentication failure (text is the
// message after the Apache AH code, or nginx's before its ", client:"
// context) to user.name, event.outcome failure, event.reason and the
// authentication category, and reports whether text was one. The forms are
// those the servers' sources write:
//
//	Apache mod_auth_basic  user bob: authentication failure for "/admin": Password Mismatch   (AH01617)
//	                       user bob not found: /admin                                        (AH01618)
//	Apache mod_auth_digest user bob: password mismatch: /admin                               (AH01790)
//	                       user `bob' in realm `r' not found: /admin                         (AH01789)
//	nginx auth_basic       user "bob": password mismatch
//	                       user "bob" was not found in "/etc/nginx/.htpasswd"
func authFailure(e *event.Event, text string) bool {
	rest, ok := strings.CutPrefix(text, "user ")
	if !ok || rest == "" {
		return false
	}
	var name, reason string
	switch rest[0] {
	case '"': // nginx
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return false
		}
		name, rest = rest[1:1+end], rest[2+end:]
		switch {
		case strings.HasPrefix(rest, ": password mismatch"):
			reason = "password mismatch"
		case strings.HasPrefix(rest, " was not found in "):
			reason = "user not found"
		default:
			return false
		}
	case '`': // mod_auth_digest's unknown user
		end := strings.IndexByte(rest, '\'')
		if end < 0 || !strings.Contains(rest[end:], " not found") {
			return false
		}
		name, reason = rest[1:end], "user not found"
	default:
		if i := strings.Index(rest, ": authentication failure for "); i > 0 {
			name, reason = rest[:i], "authentication failure"
			if j := strings.LastIndex(rest, "\": "); j > i {
				reason = rest[j+3:]
			}
		} else if i := strings.Index(rest, ": password mismatch"); i > 0 {
			name, reason = rest[:i], "password mismatch"
		} else if i := strings.Index(rest, " not found"); i > 0 {
			name, reason = rest[:i], "user not found"
		} else {
			return false
		}
	}
	if name == "" || len(name) > 256 {
		return false
	}
	e.Set("user.name", event.String(name))
	e.Set("event.reason", event.String(reason))
	e.Set("event.action", event.String("authentication_failure"))
	ecsfield.Categorize(e, authWeb, ecsfield.TypeInfo, ecsfield.Failure)
	return true
}
