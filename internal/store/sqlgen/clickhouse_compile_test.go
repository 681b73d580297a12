package sqlgen

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

// queries cover every construct; TestSameAnswers in
// internal/store/clickhouse runs them and more on a real server.
var chQueries = []string{
	``,
	`event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* | stats count() by user.name | sort -count | head 10`,
	`error "failed password" fail* -"/etc/passwd" 404 пароль`,
	`message:error event.original:*sshd* user.name:Administrator user.name:bob? host.name:web-*`,
	`source.ip:10.0.0.1 source.ip:2001:DB8::1 source.ip:2001:db8::/32 OR source.ip:fe80::/10 OR source.ip:::1/128`,
	`related.ip:192.168.0.0/16 tags:web destination.port:[1 TO 1024} bytes>=1000 score<0.5`,
	`port.text:[100 TO *] host.name:[a TO m] source.ip:[10.0.0.1 TO 10.0.0.99] @timestamp>=2024-05-01T10:00:00Z`,
	`success:true NOT success:false user.name:* NOT host.name:* missing:x OR NOT missing:y`,
	`| fields user.name, missing | sort -user.name | head 5`,
	`| head 3 | where user.name:* | sort bytes`,
	`| stats count(), count(bytes), dc(user.name), min(bytes), max(bytes), avg(bytes), sum(bytes), values(tags), values(port.text) by host.name, missing`,
	`| stats count() as n by host.name | where n > 5 | sort -n | fields host.name`,
	`| timechart span=5m count() by host.name`,
	`| stats count() by user.name | stats count() as users`,
	`user.name:"x' OR 1=1 --" "'; DROP TABLE events; --" user.name:"?"`,
}

func chCatalog() query.MapCatalog {
	return query.MapCatalog{
		"user.name": query.TypeString, "host.name": query.TypeString, "source.ip": query.TypeString,
		"related.ip": query.TypeList, "tags": query.TypeList, "destination.port": query.TypeInt,
		"bytes": query.TypeInt, "score": query.TypeFloat, "port.text": query.TypeString,
		"success": query.TypeBool, "event.code": query.TypeInt, "login.time": query.TypeTime,
	}
}

// TestClickHouseTenantAlwaysChecked: every statement of every query checks the
// tenant, and no placeholder is left in the text.
func TestClickHouseTenantAlwaysChecked(t *testing.T) {
	req := Request{From: "ev", Tenant: "acme", EventColumns: "v_raw", Start: time.Unix(0, 0), End: time.Unix(1e9, 0), Limit: 10, Offset: 3}
	for _, text := range chQueries {
		q, err := Compile(ClickHouse, query.MustParse(text), chCatalog(), req)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		for _, sql := range []string{q.SQL, q.CountSQL} {
			if !strings.Contains(sql, "`vigil.tenant` = 'acme'") {
				t.Errorf("%q: no tenant check in %s", text, sql)
			}
			if strings.Contains(sql, "?") {
				t.Errorf("%q: a '?' is left in %s", text, sql)
			}
		}
	}
}

func TestClickHouseCompileErrors(t *testing.T) {
	p := query.MustParse("x")
	for _, req := range []Request{{Tenant: "a"}, {From: "ev"}, {From: "ev", Tenant: "a", Limit: -1}} {
		if _, err := Compile(ClickHouse, p, chCatalog(), req); err == nil {
			t.Errorf("%+v: no error", req)
		}
	}
}

func BenchmarkClickHouseCompile(b *testing.B) {
	req := Request{From: "ev", Tenant: "acme", EventColumns: "v_raw", Limit: 100}
	plans := make([]*query.Plan, len(chQueries))
	for i, text := range chQueries {
		plans[i] = query.MustParse(text)
	}
	cat := chCatalog()
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range plans {
			if _, err := Compile(ClickHouse, p, cat, req); err != nil {
				b.Fatal(err)
			}
		}
	}
}
