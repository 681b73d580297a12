package response

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/responses"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// openLog opens a response log in a fresh in-memory DuckDB database.
func openLog(tb testing.TB) store.ResponseLog {
	tb.Helper()
	c, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(c)
	tb.Cleanup(func() { db.Close() })
	l, err := responses.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// validated runs the config validation over responses, as vigil.yaml would.
func validated(tb testing.TB, rs ...config.Response) []config.Response {
	tb.Helper()
	c := config.Config{Responses: rs}
	if err := c.ValidateResponses(); err != nil {
		tb.Fatal(err)
	}
	return c.Responses
}

// fastRetry retries quickly and without jitter, so waits can be checked.
func fastRetry(attempts int) config.ResponseRetry {
	j := 0.0
	return config.ResponseRetry{Attempts: attempts, Initial: config.Duration(40 * time.Millisecond), Max: config.Duration(time.Second), Jitter: &j}
}

type rig struct {
	d   *Dispatcher
	rec *Recorder
	reg *prometheus.Registry
	log store.ResponseLog
	dir string // the job queues
}

// newRig starts a dispatcher over a fresh database.
func newRig(tb testing.TB, rs ...config.Response) *rig {
	tb.Helper()
	return newRigOn(tb, openLog(tb), rs...)
}

func newRigOn(tb testing.TB, log store.ResponseLog, rs ...config.Response) *rig {
	tb.Helper()
	return newRigAt(tb, log, tb.TempDir(), rs...)
}

// newRigAt starts a dispatcher over log with its job queues in dir: a
// second rig on the same log and dir is the same Vigil restarted.
func newRigAt(tb testing.TB, log store.ResponseLog, dir string, rs ...config.Response) *rig {
	tb.Helper()
	rec := NewRecorder(log, nil)
	reg := prometheus.NewRegistry()
	d, err := New(context.Background(), Options{Responses: validated(tb, rs...), Recorder: rec, Registerer: reg, Dir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	d.Start()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = d.Close(ctx)
	})
	return &rig{d: d, rec: rec, reg: reg, log: log, dir: dir}
}

// records waits until n records of the tenant are listed and returns them,
// oldest attempt first.
func (r *rig) records(tb testing.TB, n int, f RecordFilter) []Record {
	tb.Helper()
	if f.Tenant == "" {
		f.Tenant = "acme"
	}
	f.Limit = 1000
	var got []Record
	var total int64
	var err error
	testutil.Poll(testutil.WaitTimeout, func() bool {
		got, total, err = r.rec.List(context.Background(), f)
		return err != nil || int(total) >= n
	})
	if err != nil {
		tb.Fatal(err)
	}
	if int(total) != n {
		tb.Fatalf("%d records, want %d: %+v", total, n, got)
	}
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return got
}

// counter reads vigil_response_attempts_total for a response and outcome.
func (r *rig) counter(tb testing.TB, name, outcome string) float64 {
	tb.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "vigil_response_attempts_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label(m, "response") == name && label(m, "outcome") == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func mkAlert(id, level string) alert.Alert {
	return alert.Alert{ID: id, Tenant: "acme", RuleID: "rule-" + id, Title: "Brute force " + id, Level: level,
		Tags: []string{"attack.t1110.001", "attack.credential_access"}, First: t0, Last: t0, Count: 1,
		EventIDs: []string{"ev1"}, Entities: alert.Entities{Users: []string{"bob"}, SourceIPs: []string{"203.0.113.9"}}, Status: alert.StatusOpen}
}

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (VIGIL_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func write(tb testing.TB, d *Dispatcher, as ...alert.Alert) {
	tb.Helper()
	if err := d.WriteAlerts(context.Background(), as); err != nil {
		tb.Fatal(fmt.Errorf("write alerts: %w", err))
	}
}
