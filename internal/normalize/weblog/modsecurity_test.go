package weblog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// ModSecurity rule matches inside Apache (ModSecurity 2) and nginx
// (ModSecurity 3 connector) error logs, in the forms of its reference
// manual (lines written here).
func TestWebLogModSecurity(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	f("[Fri May 10 13:37:47.123456 2024] [security2:error] [pid 1234:tid 140000] [client 198.51.100.7:41022] [client 198.51.100.7] ModSecurity: Access denied with code 403 (phase 2). Matched \"Operator `Ge' with parameter `5' against variable `TX:ANOMALY_SCORE' (Value: `5' )\" [file \"/etc/modsecurity/crs/REQUEST-949-BLOCKING-EVALUATION.conf\"] [line \"80\"] [id \"949110\"] [msg \"Inbound Anomaly Score Exceeded (Total Score: 5)\"] [severity \"CRITICAL\"] [ver \"OWASP_CRS/3.3.2\"] [tag \"application-multi\"] [tag \"attack-generic\"] [hostname \"www.example.com\"] [uri \"/login.php\"] [unique_id \"ZjxYabc\"]",
		map[string]string{"source.ip": "198.51.100.7", "source.port": "41022", "rule.id": "949110",
			"rule.name": "Inbound Anomaly Score Exceeded (Total Score: 5)", "rule.ruleset": "OWASP_CRS/3.3.2",
			"rule.category": "attack-generic", "url.path": "/login.php", "url.domain": "www.example.com",
			"http.request.id": "ZjxYabc", "http.response.status_code": "403", "event.action": "access-denied",
			"event.outcome": "failure", "event.kind": "alert", "event.category": "intrusion_detection,web",
			"event.type": "denied", "modsecurity.severity": "CRITICAL"})
	f(`[Fri May 10 13:38:00.000001 2024] [security2:error] [pid 1234:tid 140001] [client 198.51.100.8:41100] [client 198.51.100.8] ModSecurity: Warning. detected SQLi using libinjection with fingerprint 's&sos' [file "/etc/modsecurity/crs/REQUEST-942-APPLICATION-ATTACK-SQLI.conf"] [line "65"] [id "942100"] [msg "SQL Injection Attack Detected via libinjection"] [data "Matched Data: s&sos found within ARGS:id: 1' or 1=1"] [severity "CRITICAL"] [tag "attack-sqli"] [hostname "shop.example.com"] [uri "/item.php"] [unique_id "ZjxYdef"]`,
		map[string]string{"rule.id": "942100", "rule.category": "attack-sqli", "event.action": "warning",
			"event.outcome": "", "event.type": "allowed", "event.kind": "alert", "url.path": "/item.php",
			"http.response.status_code": ""})
	// nginx: the request and host come from the trailing context.
	f("2024/05/10 13:37:47 [error] 1234#1234: *56 [client 198.51.100.7] ModSecurity: Access denied with code 403 (phase 2). Matched \"Operator `Ge' with parameter `5'\" [file \"/etc/nginx/crs/REQUEST-949.conf\"] [line \"81\"] [id \"949110\"] [rev \"\"] [msg \"Inbound Anomaly Score Exceeded (Total Score: 5)\"] [data \"\"] [severity \"2\"] [ver \"OWASP_CRS/3.3.2\"] [hostname \"10.0.0.20\"] [uri \"/login.php\"] [unique_id \"171534106712.345678\"] [ref \"\"], client: 198.51.100.7, server: www.example.com, request: \"GET /login.php?id=1 HTTP/1.1\", host: \"www.example.com\"",
		map[string]string{"source.ip": "198.51.100.7", "rule.id": "949110", "url.domain": "www.example.com",
			"url.path": "/login.php", "url.query": "id=1", "http.request.method": "GET",
			"http.response.status_code": "403", "event.outcome": "failure", "event.kind": "alert"})
	// Not ModSecurity: an ordinary error stays an error event.
	f(`[Fri May 10 13:39:00 2024] [core:error] [pid 1] [client 198.51.100.9:1025] AH00126: Invalid URI in request GET /%% HTTP/1.1`,
		map[string]string{"event.kind": "event", "rule.id": "", "event.type": "error"})
}
