package sqlgen

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"
)

var base = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// fixture is a small set of events, one of another tenant, with fields of
// every type and the cases the language must get right: case, token
// boundaries, non-canonical IPv6, missing fields, lists.
func fixture() []map[string]any {
	ev := func(id string, minutes int, msg string, fields map[string]any) map[string]any {
		r := map[string]any{
			"@timestamp":     base.Add(time.Duration(minutes) * time.Minute),
			"event.ingested": base.Add(time.Duration(minutes)*time.Minute + time.Second),
			"event.id":       id,
			"vigil.tenant":   "default",
			"vigil.source":   "test",
			"message":        msg,
			"event.original": msg,
		}
		for k, v := range fields {
			r[k] = v
		}
		return r
	}
	return []map[string]any{
		ev("e01", 0, "Failed password for Administrator from 10.1.2.3 port 22 ssh2", map[string]any{
			"event.original": "<34>May  1 10:00:00 web-01 sshd[1]: Failed password for Administrator from 10.1.2.3 port 22 ssh2",
			"user.name":      "Administrator", "source.ip": "10.1.2.3", "destination.port": int64(22), "event.code": int64(4625),
			"bytes": int64(100), "score": 0.5, "success": false, "tags": []string{"web", "Prod"}, "host.name": "web-01",
			"process.executable": `C:\Windows\System32\cmd.exe`, "related.ip": []string{"10.1.2.3", "192.168.1.1"}, "port.text": "22",
			"login.time": base,
		}),
		ev("e02", 1, "An account was successfully logged on", map[string]any{
			"user.name": "administrator", "source.ip": "10.200.0.1", "destination.port": int64(3389), "event.code": int64(4624),
			"bytes": int64(2000), "success": true, "host.name": "dc-01", "port.text": "3389",
		}),
		ev("e03", 2, "failed logon for svc_backup", map[string]any{
			"user.name": "svc_backup", "source.ip": "172.16.5.4", "destination.port": int64(445), "event.code": int64(4625),
			"bytes": int64(50), "host.name": "fs-01", "port.text": "445",
		}),
		ev("e04", 3, "process created: powershell.exe -enc ABC", map[string]any{
			"user.name": "svcXbackup", "source.ip": "172.32.0.1", "destination.port": int64(80), "event.code": int64(4688),
			"bytes": int64(999999), "host.name": "web-01",
			"process.executable": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		}),
		ev("e05", 4, "connection from 2001:db8::1 to web", map[string]any{
			"source.ip": "2001:db8::1", "destination.port": int64(443), "tags": []string{"web"}, "host.name": "web-02",
		}),
		ev("e06", 5, "ipv6 noncanonical", map[string]any{"source.ip": "2001:0DB8:0:0:1::5"}),
		ev("e07", 6, "link local", map[string]any{"source.ip": "fe80::1", "bytes": int64(0)}),
		ev("e08", 7, "Пароль неверный для пользователя", map[string]any{"user.name": "Ünïcode", "host.name": "ru-01"}),
		ev("e09", 8, "GET /index.php?id=1 HTTP/1.1 404", map[string]any{
			"user.name": "bob", "source.ip": "192.168.1.10", "destination.port": int64(8080), "port.text": "8080", "event.code": int64(404),
		}),
		ev("e10", 9, "user alice from 110.0.0.55 and 10.0.0.5x", map[string]any{
			"event.original": "src=10.0.0.5 user=alice", "user.name": "alice", "source.ip": "10.0.0.5",
		}),
		ev("e11", 10, "Failed password for root", map[string]any{"user.name": "root", "host.name": "web-01", "success": false}),
		ev("e12", 11, "sudo: root : TTY=pts/0", map[string]any{"user.name": "ROOT", "host.name": "web-02", "event.code": int64(4625)}),
		ev("e13", 70, "late event failed", map[string]any{"user.name": "carol", "host.name": "web-01", "event.code": int64(4625)}),
		ev("e15", 12, "wildcard * literal star and question?", map[string]any{"user.name": "q*user"}),
		ev("e16", 13, "", map[string]any{"event.original": "raw only failedpassword"}),
		// Another tenant: never returned, whatever the query.
		func() map[string]any {
			r := ev("x14", 0, "Failed password for Administrator", map[string]any{
				"user.name": "Administrator", "event.code": int64(4625), "source.ip": "10.9.9.9", "host.name": "web-01",
			})
			r["vigil.tenant"] = "other"
			return r
		}(),
	}
}

func fixtureDB(t *testing.T) *sql.DB {
	t.Helper()
	db := openDB(t)
	createTable(t, db)
	insert(t, db, fixture())
	return db
}

var allIDs = []string{"e01", "e02", "e03", "e04", "e05", "e06", "e07", "e08", "e09", "e10", "e11", "e12", "e13", "e15", "e16"}

// without returns allIDs less some.
func without(ids ...string) []string {
	return slices.DeleteFunc(slices.Clone(allIDs), func(id string) bool { return slices.Contains(ids, id) })
}

// TestSemantics runs queries on a real DuckDB and checks which events match.
func TestSemantics(t *testing.T) {
	db := fixtureDB(t)
	cat := storeCatalog()
	wide := Request{From: "ev", Tenant: "default", Start: base.Add(-time.Hour), End: base.Add(2 * time.Hour)}
	ids := func(text string, req Request) []string {
		t.Helper()
		rows, total, q := run(t, db, cat, text, req)
		var got []string
		idCol := -1
		if q.Columns == nil {
			idCol = 2 // SELECT *: the columns of ev in order
		} else {
			idCol = slices.Index(q.Columns, "event.id")
		}
		for _, r := range rows {
			got = append(got, r[idCol])
		}
		if req.Limit == 0 && req.Offset == 0 && total != int64(len(rows)) {
			t.Errorf("%q: CountSQL says %d, the query returned %d rows", text, total, len(rows))
		}
		return got
	}
	// f checks the set of events a filter matches.
	f := func(text string, want ...string) {
		t.Helper()
		got := ids(text, wide)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q\n got %q\nwant %q", text, got, want)
		}
	}
	// ordered checks the events and their order.
	ordered := func(text string, req Request, want ...string) {
		t.Helper()
		if got := ids(text, req); !slices.Equal(got, want) {
			t.Errorf("%q (limit %d offset %d)\n got %q\nwant %q", text, req.Limit, req.Offset, got, want)
		}
	}

	f(``, allIDs...)
	f(`*`, allIDs...)

	// String fields: whole value, case-insensitive, LIKE characters literal.
	f(`user.name:administrator`, "e01", "e02")
	f(`user.name:ADMINISTRATOR`, "e01", "e02")
	f(`user.name:root`, "e11", "e12")
	f(`user.name:roo`)
	f(`user.name:svc_*`, "e03")
	f(`user.name:svc?backup`, "e03", "e04")
	f(`user.name:*admin*`, "e01", "e02")
	f(`user.name:ünïcode`, "e08")
	f(`user.name:ÜNÏCODE`, "e08")
	f(`user.name:"q*user"`, "e15")
	f(`user.name:q*user`, "e15")
	f(`user.name:"%"`)
	f(`user.name:*`, "e01", "e02", "e03", "e04", "e08", "e09", "e10", "e11", "e12", "e13", "e15")
	f(`NOT user.name:*`, "e05", "e06", "e07", "e16")
	f(`user.name!=root`, "e01", "e02", "e03", "e04", "e08", "e09", "e10", "e13", "e15")
	f(`NOT user.name:root`, without("e11", "e12")...)
	f(`user.name:(root OR bob)`, "e09", "e11", "e12")
	f(`host.name:(web-* -web-02)`, "e01", "e04", "e11", "e13")
	f(`process.executable:C:\Windows\System32\cmd.exe`, "e01")
	f(`process.executable:c:\windows\*\powershell.exe`, "e04")
	f(`process.executable:*\cmd.exe`, "e01")
	f(`host.name:[a TO e]`, "e02")
	f(`user.name>=s`, "e03", "e04", "e08")

	// Fields no event has.
	f(`missing.field:x`)
	f(`missing.field:*`)
	f(`missing.field>5`)
	f(`missing.field:10.0.0.0/8`)
	f(`NOT missing.field:x`, allIDs...)
	f(`missing.field!=x`)
	f(`missing.field:x OR user.name:bob`, "e09")

	// Numbers.
	f(`event.code:4625`, "e01", "e03", "e12", "e13")
	f(`event.code:4625 user.name:root`, "e12")
	f(`event.code:4625.0`, "e01", "e03", "e12", "e13")
	f(`event.code:abc`)
	f(`NOT event.code:abc`, allIDs...)
	f(`destination.port:[1 TO 1024]`, "e01", "e03", "e04", "e05")
	f(`destination.port:{22 TO 445}`, "e04", "e05")
	f(`destination.port:[445 TO *]`, "e02", "e03", "e09")
	f(`destination.port>=445`, "e02", "e03", "e09")
	f(`destination.port:>443`, "e02", "e03", "e09")
	f(`destination.port:[a TO b]`)
	f(`destination.port:4*`, "e03", "e05")
	f(`bytes<100`, "e03", "e07")
	f(`bytes<=100`, "e01", "e03", "e07")
	f(`bytes != 0`, "e01", "e02", "e03", "e04")
	f(`score:0.5`, "e01")
	f(`score>0.1`, "e01")
	f(`port.text:[100 TO 1000]`, "e03")
	f(`port.text>1000`, "e02", "e09")
	f(`port.text:22`, "e01")

	// Bools and times.
	f(`success:true`, "e02")
	f(`success:FALSE`, "e01", "e11")
	f(`success:maybe`)
	f(`NOT success:true`, without("e02")...)
	f(`@timestamp>=2024-05-01T10:10:00Z`, "e11", "e12", "e13", "e15", "e16")
	f(`@timestamp:[2024-05-01T10:00:00Z TO 2024-05-01T10:02:00Z}`, "e01", "e02")
	f(`@timestamp:2024-05-01T10:01:00Z`, "e02")
	f(`@timestamp<1714557660`, "e01")
	f(`login.time:2024-05-01T10:00:00Z`, "e01")
	f(`login.time:*`, "e01")

	// Full text: tokens, case, phrases, wildcards.
	f(`failed`, "e01", "e03", "e11", "e13")
	f(`FAILED`, "e01", "e03", "e11", "e13")
	f(`fail`)
	f(`fail*`, "e01", "e03", "e11", "e13", "e16")
	f(`*ailed`, "e01", "e03", "e11", "e13")
	f(`"failed password"`, "e01", "e11")
	f(`failed password`, "e01", "e11")
	f(`failed -password`, "e03", "e13")
	f(`failedpassword`, "e16")
	f(`10.0.0.5`, "e10")
	f(`message:10.0.0.5`)
	f(`event.original:10.0.0.5`, "e10")
	f(`message:failed`, "e01", "e03", "e11", "e13")
	f(`event.original:sshd`, "e01")
	f(`пароль`, "e08")
	f(`ПАРОЛЬ`, "e08")
	f(`парол`)
	f(`парол*`, "e08")
	f(`404`, "e09")
	f(`index.php?id=1`, "e09")
	f(`/index.php`, "e09")
	f(`powershell.exe`, "e04")
	f(`*shell*`, "e04")
	f(`"-enc"`, "e04")
	f(`"question?"`, "e15")
	f(`"*"`, "e15")
	f(`star*`, "e15")
	f(`(failed OR password) user.name:root`, "e11")
	f(`message:""`, "e16")
	f(`user.name:""`)
	f(`tags:""`)
	f(`message:*`, without("e16")...)
	f(`NOT message:*`, "e16")

	// CIDR.
	f(`source.ip:10.0.0.0/8`, "e01", "e02", "e10")
	f(`source.ip:172.16.0.0/12`, "e03")
	f(`source.ip:10.1.2.3/32`, "e01")
	f(`source.ip:10.1.2.3`, "e01")
	f(`source.ip:0.0.0.0/0`, "e01", "e02", "e03", "e04", "e09", "e10")
	f(`source.ip:2001:db8::/32`, "e05", "e06")
	f(`source.ip:2001:db8::1/128`, "e05")
	f(`source.ip:2001:DB8::1`, "e05")
	f(`source.ip:fe80::/10`, "e07")
	f(`source.ip:::/0`, "e05", "e06", "e07")
	f(`NOT source.ip:10.0.0.0/8`, without("e01", "e02", "e10")...)
	f(`related.ip:192.168.0.0/16`, "e01")
	f(`source.ip:[10.0.0.1 TO 10.1.255.255]`, "e01", "e10")
	f(`source.ip:[2001:db8::1 TO 2001:db8:0:0:1::5]`, "e05", "e06")
	f(`event.code:10.0.0.0/8`)

	// Lists.
	f(`tags:web`, "e01", "e05")
	f(`tags:PROD`, "e01")
	f(`tags:pr*`, "e01")
	f(`tags:*`, "e01", "e05")
	f(`NOT tags:*`, without("e01", "e05")...)
	f(`tags:[A TO Z]`, "e01")
	f(`tags:[a TO q]`)

	// The time range of the request, and the tenant.
	ordered(``, Request{From: "ev", Tenant: "default", Start: base.Add(5 * time.Minute), End: base.Add(10 * time.Minute)},
		"e10", "e09", "e08", "e07", "e06")
	ordered(`user.name:administrator`, Request{From: "ev", Tenant: "other"}, "x14")

	// Pipes on events.
	ordered(`| head 2`, wide, "e13", "e16")
	ordered(`user.name:* | sort user.name | head 3`, wide, "e01", "e12", "e02")
	ordered(`| sort -bytes | head 2`, wide, "e04", "e02")
	ordered(`| sort missing.field | head 2`, wide, "e13", "e16")
	ordered(`| head 3 | where user.name:*`, wide, "e13", "e15")
	ordered(`| sort event.id | head 5 | sort -event.id`, wide, "e05", "e04", "e03", "e02", "e01")
	ordered(`| sort event.id`, Request{From: "ev", Tenant: "default", Limit: 3, Offset: 2}, "e03", "e04", "e05")
	ordered(`| sort event.id | head 5`, Request{From: "ev", Tenant: "default", Limit: 10, Offset: 3}, "e04", "e05")
	ordered(`| sort event.id | head 5`, Request{From: "ev", Tenant: "default", Limit: 10, Offset: 7})
	ordered(`| where event.code:4625 | sort event.id | fields event.id`, wide, "e01", "e03", "e12", "e13")
}

// TestPipes checks the rows of pipes that make tables, and projections.
func TestPipes(t *testing.T) {
	db := fixtureDB(t)
	cat := storeCatalog()
	wide := Request{From: "ev", Tenant: "default", Start: base.Add(-time.Hour), End: base.Add(2 * time.Hour)}
	f := func(text string, req Request, want ...string) {
		t.Helper()
		rows, total, _ := run(t, db, cat, text, req)
		var got []string
		for _, r := range rows {
			got = append(got, strings.Join(r, " | "))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q\n got %q\nwant %q", text, got, want)
		}
		if req.Limit == 0 && req.Offset == 0 && total != int64(len(rows)) {
			t.Errorf("%q: CountSQL says %d, the query returned %d rows", text, total, len(rows))
		}
	}
	f(`user.name:* | fields user.name, nope | head 1`, wide, "carol | null")
	f(`event.code:4625 | stats count() by user.name`, wide,
		"Administrator | 1", "ROOT | 1", "carol | 1", "svc_backup | 1")
	f(`| stats count() as n by host.name | sort -n | head 2`, wide, "null | 6", "web-01 | 4")
	f(`| stats count() by host.name | where count > 1`, wide, "web-01 | 4", "web-02 | 2", "null | 6")
	f(`| stats count() by host.name | where NOT host.name:*`, wide, "null | 6")
	f(`| stats count(), count(bytes), dc(user.name), min(bytes), max(bytes), sum(bytes), avg(bytes)`, wide,
		"15 | 5 | 11 | 0 | 999999 | 1002149 | 200429.8")
	f(`| stats sum(score), avg(score), sum(success), min(@timestamp), max(@timestamp), avg(login.time), sum(port.text), avg(port.text)`, wide,
		"0.5 | 0.5 | 1 | 2024-05-01T10:00:00Z | 2024-05-01T11:10:00Z | 2024-05-01T10:00:00Z | 11936 | 2984")
	f(`| stats values(tags), values(destination.port), values(success)`, wide,
		"[Prod web] | [22 80 443 445 3389 8080] | [false true]")
	f(`| stats count() by nope`, wide, "null | 15")
	f(`| stats count(nope), dc(nope), min(nope), values(nope) by success`, wide,
		"false | 0 | 0 | null | null", "true | 0 | 0 | null | null", "null | 0 | 0 | null | null")
	f(`| stats count() by user.name | stats count() as users`, wide, "12")
	f(`| stats count() by success, host.name | where success:false`, wide, "false | web-01 | 2")
	f(`| stats count() as n by host.name | fields n, host.name | sort -n, host.name | head 3`, wide,
		"6 | null", "4 | web-01", "2 | web-02")
	f(`| stats dc(user.name) by host.name | sort -dc(user.name) | head 1`, wide, "web-01 | 4")
	f(`| timechart span=1h count()`, wide, "2024-05-01T10:00:00Z | 14", "2024-05-01T11:00:00Z | 1")
	f(`host.name:web-01 | timechart span=5m count(), max(bytes) by host.name`, wide,
		"2024-05-01T10:00:00Z | web-01 | 2 | 999999",
		"2024-05-01T10:10:00Z | web-01 | 1 | null",
		"2024-05-01T11:10:00Z | web-01 | 1 | null")
	f(`| timechart span=1d count() by success | where count < 3`, wide,
		"2024-05-01T00:00:00Z | false | 2", "2024-05-01T00:00:00Z | true | 1")
	// No span: AutoSpan of the three hours of the request is 5 minutes.
	f(`user.name:root | timechart`, wide, "2024-05-01T10:10:00Z | 2")
	f(`| stats count() by host.name`, Request{From: "ev", Tenant: "default", Limit: 2, Offset: 1},
		"fs-01 | 1", "ru-01 | 1")
}

// TestNoBinderErrors compiles queries over every field of every type, and
// over fields the data lacks, in every position, and runs them: whatever
// the catalog says, the SQL must bind and run.
func TestNoBinderErrors(t *testing.T) {
	db := fixtureDB(t)
	cat := storeCatalog()
	req := Request{From: "ev", Tenant: "default", Limit: 5}
	values := []string{`x`, `X*`, `"a b"`, `5`, `-1.5`, `true`, `2024-05-01T10:00:00Z`, `10.0.0.0/8`, `fe80::/10`,
		`[1 TO 5]`, `{a TO *]`, `[10.0.0.1 TO 10.0.0.9]`, `*`, `>3`, `<=2024-05-02`}
	fields := []string{"nope"}
	for _, c := range storeColumns {
		fields = append(fields, c.name)
	}
	for _, field := range fields {
		for _, v := range values {
			if strings.HasPrefix(field, "@") || field == "event.ingested" {
				continue // the parser checks time values of these itself
			}
			text := field + ":" + v
			if v[0] == '>' || v[0] == '<' {
				text = field + v
			}
			run(t, db, cat, text, req)
			run(t, db, cat, "NOT "+text, req)
		}
		for _, pipes := range []string{
			"| sort -" + field, "| fields " + field, "| stats count() by " + field,
			"| stats count(" + field + "), dc(" + field + "), min(" + field + "), max(" + field + "), avg(" + field + "), sum(" + field + "), values(" + field + ")",
			"| timechart span=1m count() by " + field,
			"| stats count() by " + field + " | where " + field + ":* | sort " + field,
		} {
			run(t, db, cat, pipes, req)
		}
	}
}
