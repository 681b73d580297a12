package clickhouse

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// FuzzSearch runs every query the parser accepts on a real ClickHouse with
// the suite's events: whatever the text, the compiled SQL must parse and
// run on 18.16, the total must agree with the rows, and no row of another
// tenant comes back.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{``, `password`, `"accepted publickey"`, `fail* -"/etc/passwd"`, `user.name:USER1 OR user.name:?ser2`,
		`source.ip:10.0.0.0/8`, `source.ip:2001:db8::/32 OR source.ip:::1/128`, `source.ip:[10.0.0.1 TO 10.0.0.9]`,
		`source.port:[40005 TO 40009} event.duration>=2.5`, `vigil.test.even:true NOT related.user:root`,
		`message:"" x:""`, `a:"\\" b:\*`, `x:[* TO *]`, `"(?i)"`, `user.name:'`, `message:*?*`, `??`, `"?"`, "`",
		`* | stats count(), dc(user.name), min(source.port), max(event.duration), avg(source.port), sum(source.port), values(related.user) by host.name, nosuch`,
		`* | stats count() as n by user.name | where n > 2 | sort -n | head 2 | fields user.name`,
		`* | timechart span=1s dc(source.ip) by vigil.test.even`, `* | stats count() | stats count()`,
		`* | head 3 | where user.name:* | sort -source.port`} {
		f.Add(s)
	}
	ctx := context.Background()
	srv := chtest.Start(f)
	s, err := Open(ctx, Options{URL: srv.URL, Database: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(ctx, append(storetest.Events("acme", 20), storetest.Events("other", 5)...)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := query.Parse(text); err != nil {
			return
		}
		res, err := s.Search(ctx, store.Request{Tenant: "other", Query: text, Limit: store.MaxLimit})
		if err != nil {
			if errors.Is(err, store.ErrBadRequest) {
				return
			}
			t.Fatalf("%q: %v", text, err)
		}
		if int64(len(res.Rows)) != res.Total {
			t.Fatalf("%q: %d rows, total %d", text, len(res.Rows), res.Total)
		}
		for _, r := range res.Rows {
			if tn := r.Text("vigil.tenant"); tn != "" && tn != "other" {
				t.Fatalf("%q: a row of tenant %s", text, tn)
			}
		}
	})
}
