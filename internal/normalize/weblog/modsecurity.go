package weblog

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
)

// modSecWeb is event.category of a ModSecurity rule match: an intrusion
// detection on web traffic.
var modSecWeb = event.List([]string{"intrusion_detection", "web"})

var (
	typeDenied = event.List([]string{"denied"})
	typeAllow  = event.List([]string{"allowed"})
)

// maxModSecTags bounds the [name "value"] pairs read from one message (a
// CRS rule writes about fifteen).
const maxModSecTags = 64

// modSecurity maps a ModSecurity (v2 in Apache, v3 in nginx) rule match in
// an error log message: the disposition before the first "[", then the
// rule's [name "value"] pairs, as its reference manual writes them:
//
//	ModSecurity: Access denied with code 403 (phase 2). Matched "…" [file "…"] [line "80"] [id "949110"]
//	  [msg "Inbound Anomaly Score Exceeded (Total Score: 5)"] [severity "CRITICAL"] [ver "OWASP_CRS/3.3.2"]
//	  [tag "attack-sqli"] [hostname "www.example.com"] [uri "/login.php"] [unique_id "ZjxY…"]
//	ModSecurity: Warning. Matched "…" [id "942100"] [msg "SQL Injection Attack Detected via libinjection"] …
//
// rule.id, rule.name (msg), rule.ruleset (ver), rule.version (rev),
// rule.category (the first attack-* tag), url.path (uri), http.request.id
// (unique_id), http.response.status_code (the code denied with) and
// event.action/outcome from the disposition; the event becomes an alert.
// It reports whether text held a ModSecurity message.
func modSecurity(e *event.Event, text string) bool {
	i := strings.Index(text, "ModSecurity: ")
	if i < 0 {
		return false
	}
	text = text[i+len("ModSecurity: "):]
	head := text
	if j := strings.Index(text, " ["); j >= 0 {
		head = text[:j]
	}
	action, typ, outcome := "", typeAllow, ""
	switch {
	case strings.HasPrefix(head, "Access denied"):
		action, typ, outcome = "access-denied", typeDenied, ecsfield.Failure
		if _, code, ok := strings.Cut(head, "with code "); ok {
			if k := strings.IndexByte(code, ' '); k > 0 {
				ecsfield.Int(e, "http.response.status_code", code[:k])
			}
		}
	case strings.HasPrefix(head, "Access allowed"):
		action, outcome = "access-allowed", ecsfield.Success
	case strings.HasPrefix(head, "Warning."):
		action = "warning"
	default:
		return false
	}
	rest := text[len(head):]
	tag := ""
	for n := 0; n < maxModSecTags; n++ {
		j := strings.Index(rest, " [")
		if j < 0 {
			break
		}
		rest = rest[j+2:]
		name, v, ok := strings.Cut(rest, ` "`)
		if !ok || strings.ContainsAny(name, " []") {
			continue
		}
		end := strings.Index(v, `"]`)
		if end < 0 {
			break
		}
		val := v[:end]
		rest = v[end+1:]
		switch name {
		case "id":
			ecsfield.Str(e, "rule.id", val)
		case "msg":
			ecsfield.Str(e, "rule.name", val)
		case "ver":
			ecsfield.Str(e, "rule.ruleset", val)
		case "rev":
			ecsfield.Str(e, "rule.version", val)
		case "severity":
			ecsfield.Str(e, "modsecurity.severity", val)
		case "data":
			ecsfield.Str(e, "modsecurity.data", val)
		case "file":
			ecsfield.Str(e, "modsecurity.file", val)
		case "uri":
			if !e.Has("url.path") {
				ecsfield.Str(e, "url.path", val)
			}
		case "hostname":
			if !e.Has("url.domain") {
				ecsfield.Str(e, "url.domain", val)
			}
		case "unique_id":
			ecsfield.Str(e, "http.request.id", val)
		case "tag":
			if tag == "" && strings.HasPrefix(val, "attack-") {
				tag = val
			}
		}
	}
	ecsfield.Str(e, "rule.category", tag)
	e.Set("event.action", event.String(action))
	e.Set("event.kind", event.String("alert"))
	ecsfield.Categorize(e, modSecWeb, typ, outcome)
	return true
}
