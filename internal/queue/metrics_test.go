package queue

import (
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// gather returns every series of reg as "name{label=value,...}" → value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(ls)
			v := m.GetGauge().GetValue()
			if m.GetCounter() != nil {
				v = m.GetCounter().GetValue()
			}
			out[mf.GetName()+"{"+strings.Join(ls, ",")+"}"] = v
		}
	}
	return out
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	o := testOptions(newMemFS())
	q, err := Open("/q", o, reg)
	if err != nil {
		t.Fatal(err)
	}
	o2 := o
	o2.Tenant = "globex"
	q2, err := Open("/q2", o2, reg)
	if err != nil {
		t.Fatalf("second queue on the same registry: %v", err)
	}
	mustAppend(t, q, recs("m", 5, 100))
	mustAppend(t, q2, recs("m", 1, 100))
	readN(t, q, 5)
	if err := q.Ack(2); err != nil {
		t.Fatal(err)
	}
	got := gather(t, reg)
	acme := "output=test,tenant=acme"
	f := func(series string, want float64) {
		t.Helper()
		v, ok := got[series]
		if !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	f("vigil_queue_appended_records_total{"+acme+"}", 5)
	f("vigil_queue_appended_records_total{output=test,tenant=globex}", 1)
	f("vigil_queue_delivered_records_total{"+acme+"}", 2)
	f("vigil_queue_records{"+acme+"}", 3)
	f("vigil_queue_records{output=test,tenant=globex}", 1)
	f("vigil_queue_bytes{"+acme+"}", float64(3*recordSize("acme", recs("m", 1, 100)[0])))
	f("vigil_queue_segments{"+acme+"}", 1)
	f("vigil_queue_health{"+acme+"}", 0)
	f("vigil_queue_dropped_records_total{output=test,reason=max_bytes,tenant=acme}", 0)
	f("vigil_queue_dropped_records_total{output=test,reason=max_age,tenant=acme}", 0)
	f("vigil_queue_torn_records_total{"+acme+"}", 0)
	f("vigil_queue_corrupt_records_total{"+acme+"}", 0)
	if got["vigil_queue_fsyncs_total{"+acme+"}"] < 1 {
		t.Error("no fsync counted")
	}
	if age := got["vigil_queue_oldest_age_seconds{"+acme+"}"]; age < 0 || age > 60 {
		t.Errorf("oldest age %v s", age)
	}
	if len(got) != 2*17 {
		t.Errorf("%d series for two queues, want 34", len(got))
	}
	q.Close()
	q2.Close()
	if n := len(gather(t, reg)); n != 0 {
		t.Fatalf("%d series left after Close", n)
	}
	// Reopening registers again.
	q, err = Open("/q", o, reg)
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
}
