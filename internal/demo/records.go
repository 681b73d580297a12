package demo

import (
	"encoding/json"
	"fmt"
	"time"
)

// The raw records of the company's products, as they write them.

// asaLine is a Cisco ASA syslog line (RFC 3164, facility local4).
func asaLine(t time.Time, sev int, id, msg string) string {
	return fmt.Sprintf("<%d>%s fw01 %%ASA-%d-%s: %s", 20*8+sev, t.UTC().Format(time.Stamp), sev, id, msg)
}

// syslog5424 is an RFC 5424 line.
func syslog5424(t time.Time, pri int, host, app, msg string) string {
	return fmt.Sprintf("<%d>1 %s %s %s - - - %s", pri, t.UTC().Format("2006-01-02T15:04:05.000Z"), host, app, msg)
}

// apacheLine is an Apache combined-format access line sent over syslog
// (local0.info).
func apacheLine(t time.Time, ip, method, url string, status, size int, ua string) string {
	msg := fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" %q`, ip, t.UTC().Format("02/Jan/2006:15:04:05 -0700"), method, url, status, size, ua)
	return syslog5424(t, 134, "web01", "apache2", msg)
}

// authLine is an auth log line (authpriv.info) of program app on host.
func authLine(t time.Time, host, app, msg string) string {
	return syslog5424(t, 86, host, app, msg)
}

// winEvent is a Windows event as Winlogbeat ships it.
func winEvent(t time.Time, host, channel, provider string, id int, data map[string]string) string {
	doc := map[string]any{
		"@timestamp": t.UTC().Format(time.RFC3339Nano),
		"host":       map[string]any{"name": host},
		"winlog": map[string]any{
			"channel": channel, "event_id": id, "provider_name": provider,
			"computer_name": host + ".corp.example", "event_data": data,
		},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// cloudTrail is an AWS CloudTrail record.
func cloudTrail(t time.Time, ip, user, source, name string, ok bool) string {
	doc := map[string]any{
		"@timestamp":      t.UTC().Format(time.RFC3339Nano),
		"eventVersion":    "1.08",
		"eventTime":       t.UTC().Format(time.RFC3339),
		"eventSource":     source,
		"eventName":       name,
		"awsRegion":       "eu-west-1",
		"sourceIPAddress": ip,
		"userAgent":       "aws-cli/2.15.0",
		"userIdentity":    map[string]any{"type": "IAMUser", "userName": user, "accountId": "111122223333"},
	}
	if !ok {
		doc["errorCode"] = "AccessDenied"
	}
	b, _ := json.Marshal(doc)
	return string(b)
}
