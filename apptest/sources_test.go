package apptest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// sourcesReply is the body of GET /api/v1/sources.
type sourcesReply struct {
	Sources []struct {
		Tenant         string     `json:"tenant"`
		Source         string     `json:"source"`
		Host           string     `json:"host"`
		LastSeen       *time.Time `json:"last_seen"`
		EPS1m          float64    `json:"eps_1m"`
		EPS1h          float64    `json:"eps_1h"`
		Events24h      uint64     `json:"events_24h"`
		ParseErrors24h uint64     `json:"parse_errors_24h"`
		Status         string     `json:"status"`
	} `json:"sources"`
}

// usageReply is the body of GET /api/v1/usage.
type usageReply struct {
	Tenant  string  `json:"tenant"`
	Events  int64   `json:"events"`
	Bytes   int64   `json:"bytes"`
	EPSAvg  float64 `json:"eps_avg"`
	EPSPeak int64   `json:"eps_peak"`
	ByDay   []struct {
		Date   string `json:"date"`
		Events int64  `json:"events"`
	} `json:"by_day"`
}

// The silence test of issue 16: two hosts send syslog; one stops. With
// health.silence_after 5s an alert names the silent host, while the other
// keeps sending and is listed healthy through more than a whole threshold
// after that alert, with no alert naming it. /api/v1/sources lists both
// with their last-seen times; /api/v1/usage counts exactly the events the
// store holds.
func TestSourceSilenceAlert(t *testing.T) {
	v := startVigil(t, `
health:
  silence_after: 5s
  check_interval: 500ms
`)
	const quiet, steady = "fw-quiet", "fw-steady"
	line := func(host string, i int) string {
		return fmt.Sprintf("<134>%s %s app[7]: heartbeat %d from %s\n", bsdStamp(time.Now()), host, i, host)
	}
	// The quiet host sends 20 lines, then nothing.
	var quietLines []string
	for i := 0; i < 20; i++ {
		quietLines = append(quietLines, line(quiet, i)[:len(line(quiet, i))-1])
	}
	sendSyslogTCP(t, v.syslog, quietLines)

	// The steady host sends a line every 100 ms until told to stop.
	conn, err := net.Dial("tcp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	stop, stopped := make(chan struct{}), make(chan error, 1)
	go func() {
		defer conn.Close()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				stopped <- nil
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte(line(steady, i))); err != nil {
				stopped <- err
				return
			}
			sent.Add(1)
		}
	}()
	stopSteady := func() {
		select {
		case <-stop:
			return
		default:
		}
		close(stop)
		if err := <-stopped; err != nil {
			t.Fatalf("steady sender: %v", err)
		}
	}
	defer stopSteady()

	silentAlerts := func(host string) []alert.Alert {
		return alertsOf(t, v, "rule_id=vigil-source-silent&entity="+url.QueryEscape(host))
	}
	var quietAlert alert.Alert
	waitFor(t, 60*time.Second, "a silence alert naming "+quiet, func() bool {
		as := silentAlerts(quiet)
		if len(as) > 0 {
			quietAlert = as[0]
		}
		return len(as) > 0
	})
	if len(quietAlert.Entities.Hosts) != 1 || quietAlert.Entities.Hosts[0] != quiet {
		t.Fatalf("silence alert names %v, want [%s]: %+v", quietAlert.Entities.Hosts, quiet, quietAlert)
	}
	t.Logf("alert: %s", quietAlert.Title)

	// The steady host goes on being seen for more than a threshold after
	// the quiet host's alert, checked every 500 ms all along: had the
	// tracker mistaken it for silent, its alert would exist by then.
	var list sourcesReply
	byHost := func() map[string]int {
		getJSON(t, v.url("/api/v1/sources?tenant=default"), &list)
		m := map[string]int{}
		for i, s := range list.Sources {
			m[s.Host] = i
		}
		return m
	}
	waitFor(t, 60*time.Second, steady+" seen 6s after the silence alert", func() bool {
		i, ok := byHost()[steady]
		return ok && list.Sources[i].LastSeen != nil && list.Sources[i].LastSeen.After(quietAlert.First.Add(6*time.Second))
	})
	if as := silentAlerts(steady); len(as) != 0 {
		t.Fatalf("%s kept sending, yet: %+v", steady, as)
	}
	hosts := byHost()
	qi, ok1 := hosts[quiet]
	si, ok2 := hosts[steady]
	if !ok1 || !ok2 {
		t.Fatalf("/api/v1/sources lists %+v, want both hosts", list.Sources)
	}
	q, s := list.Sources[qi], list.Sources[si]
	if q.Status != "silent" || s.Status != "ok" {
		t.Fatalf("status: %s %s, %s %s; want silent and ok", quiet, q.Status, steady, s.Status)
	}
	if q.LastSeen == nil || s.LastSeen == nil || !q.LastSeen.Before(quietAlert.First) || q.Events24h != 20 || q.Source != "syslog-tcp" {
		t.Fatalf("%s: %+v", quiet, q)
	}
	if s.EPS1m <= 0 || s.Events24h == 0 {
		t.Fatalf("%s: %+v", steady, s)
	}
	t.Logf("sources: %s last seen %s (%s), %s last seen %s (%s, %.1f eps)", quiet, q.LastSeen, q.Status, steady, s.LastSeen, s.Status, s.EPS1m)

	// Usage counts exactly the events stored.
	stopSteady()
	total := int(20 + sent.Load())
	v.waitFound("heartbeat", total, 30*time.Second)
	var stored struct {
		Total int64 `json:"total"`
	}
	getJSON(t, v.url("/api/v1/search?q=*&limit=1&from=-1d"), &stored)
	var use usageReply
	waitFor(t, 10*time.Second, "usage to count every stored event", func() bool {
		getJSON(t, v.url("/api/v1/usage?tenant=default&from=-1d"), &use)
		return use.Events >= stored.Total
	})
	if use.Events != stored.Total || stored.Total != int64(total) {
		t.Fatalf("usage counts %d events, the store holds %d, %d were sent", use.Events, stored.Total, total)
	}
	var days int64
	for _, d := range use.ByDay {
		days += d.Events
	}
	if days != use.Events || use.Bytes == 0 || use.EPSPeak < 1 {
		t.Fatalf("usage %+v", use)
	}
	t.Logf("usage: %d events, %d bytes, peak %d eps", use.Events, use.Bytes, use.EPSPeak)
}

// Usage stays exact across a SIGKILL: events counted only in the journal
// (no snapshot yet) are replayed at the next start, none twice.
func TestUsageExactAcrossKill(t *testing.T) {
	v := startVigil(t, "")
	postBatch := func(b int) {
		var body strings.Builder
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&body, `{"message":"usage test %d","batch":%d,"host.name":"app%d"}`+"\n", i, b, i%3)
		}
		if code, resp := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body.String())); code != 200 {
			t.Fatalf("ingest: %d %s", code, resp)
		}
	}
	for b := 0; b < 5; b++ {
		postBatch(b)
	}
	v.kill()
	v.start()
	postBatch(5)
	v.waitFound("usage", 600, 30*time.Second)
	var stored struct {
		Total int64 `json:"total"`
	}
	getJSON(t, v.url("/api/v1/search?q=usage&limit=1&from=-1d"), &stored)
	var use usageReply
	getJSON(t, v.url("/api/v1/usage?tenant=default"), &use)
	if use.Events != 600 || stored.Total != 600 {
		t.Fatalf("usage counts %d events, the store holds %d; 600 were acknowledged", use.Events, stored.Total)
	}
	// Prometheus has the same count, labelled by tenant.
	resp, err := http.Get(v.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `vigil_usage_events_total{tenant="default"} 600`+"\n") {
		t.Fatalf("/metrics lacks vigil_usage_events_total of 600 for tenant default")
	}
	// A bad range is refused with a JSON error.
	resp, err = http.Get(v.url("/api/v1/usage?tenant=default&from=yesterday-ish"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"error":"from: time \"yesterday-ish\"`) {
		t.Fatalf("bad from: %s %s", resp.Status, body)
	}
	var list sourcesReply
	getJSON(t, v.url("/api/v1/sources?tenant=default"), &list)
	hosts := map[string]bool{}
	for _, s := range list.Sources {
		hosts[s.Host] = s.Source == "http" && s.LastSeen != nil
	}
	if !hosts["app0"] || !hosts["app1"] || !hosts["app2"] {
		t.Fatalf("sources after the restart: %+v", list.Sources)
	}
}
