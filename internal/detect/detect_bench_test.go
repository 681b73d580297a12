package detect

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// benchBaseRules are the detection rules the benchmark's correlations
// reference: Windows logons and process starts, firewall verdicts, web
// responses.
const benchBaseRules = `title: Failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection: {s: {EventID: 4625}, condition: s}
---
title: Logon
name: logon
logsource: {product: windows, service: security}
detection: {s: {EventID: 4624}, condition: s}
---
title: Special privileges
name: special_privs
logsource: {product: windows, service: security}
detection: {s: {EventID: 4672}, condition: s}
---
title: Process start
name: process_start
logsource: {product: windows, service: security}
detection: {s: {EventID: 4688}, condition: s}
---
title: Denied
name: fw_deny
logsource: {category: firewall}
detection: {s: {event.action: deny}, condition: s}
---
title: Allowed
name: fw_allow
logsource: {category: firewall}
detection: {s: {event.action: allow}, condition: s}
---
title: Not found
name: web_404
logsource: {category: webserver}
detection: {s: {http.response.status_code: 404}, condition: s}
---
title: Unauthorised
name: web_401
logsource: {category: webserver}
detection: {s: {http.response.status_code: 401}, condition: s}
`

// benchCorrelations writes n correlations over the base rules: counts,
// distinct values, and sequences, grouped by user, address or host.
func benchCorrelations(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "---\ntitle: Correlation %d\nname: corr_%d\nlevel: high\ncorrelation:\n", i, i)
		switch i % 10 {
		case 0:
			fmt.Fprintf(&b, "  type: event_count\n  rules: failed_logon\n  group-by: [TargetUserName, IpAddress]\n  timespan: %dm\n  condition: {gte: %d}\n", 1+i%5, 10+i)
		case 1:
			fmt.Fprintf(&b, "  type: value_count\n  rules: failed_logon\n  group-by: [IpAddress]\n  timespan: 10m\n  condition: {field: TargetUserName, gte: %d}\n", 20+i)
		case 2:
			fmt.Fprintf(&b, "  type: value_count\n  rules: fw_deny\n  group-by: [source.ip]\n  timespan: 1m\n  condition: {field: destination.port, gte: %d}\n", 20+i)
		case 3:
			fmt.Fprintf(&b, "  type: event_count\n  rules: fw_deny\n  group-by: [source.ip, destination.ip]\n  timespan: 5m\n  condition: {gte: %d}\n", 50+i)
		case 4:
			b.WriteString("  type: temporal_ordered\n  rules: [failed_logon, logon]\n  group-by: [TargetUserName, IpAddress, Computer]\n  timespan: 5m\n")
		case 5:
			b.WriteString("  type: temporal\n  rules: [logon, special_privs, process_start]\n  group-by: [Computer, TargetUserName, IpAddress]\n  timespan: 2m\n")
		case 6:
			fmt.Fprintf(&b, "  type: value_count\n  rules: web_404\n  group-by: [source.ip]\n  timespan: 1m\n  condition: {field: url.original, gte: %d}\n", 30+i)
		case 7:
			fmt.Fprintf(&b, "  type: event_count\n  rules: web_401\n  group-by: [source.ip]\n  timespan: 1m\n  condition: {gte: %d}\n", 20+i)
		case 8:
			b.WriteString("  type: temporal_ordered\n  rules: [fw_deny, fw_allow]\n  group-by: [source.ip, destination.ip, destination.port]\n  timespan: 10m\n")
		case 9:
			fmt.Fprintf(&b, "  type: event_count\n  rules: process_start\n  group-by: [Computer]\n  timespan: 1m\n  condition: {gt: %d, lte: %d}\n", 500+i, 1000+i)
		}
	}
	return b.String()
}

// benchEvents makes a stream of n events, one per millisecond: noise
// percent of them Sysmon process starts no rule references, the others
// 30% Windows Security events of the users from the addresses on the
// hosts, 50% firewall verdicts from the addresses, 20% web requests.
func benchEvents(n, noise, users, addrs, hosts int) ([]*event.Event, int64) {
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*event.Event, n)
	var bytes int64
	for i := range out {
		k := i * 2654435761 // spread the choices
		e := &event.Event{ID: strconv.Itoa(i), Tenant: "default", Timestamp: t0.Add(time.Duration(i) * time.Millisecond)}
		a := k >> 8 % addrs
		ip := "10." + strconv.Itoa(a>>16&255) + "." + strconv.Itoa(a>>8&255) + "." + strconv.Itoa(a&255)
		switch r := i % 10; {
		case i*7%100 < noise:
			e.SetString("winlog.channel", "Microsoft-Windows-Sysmon/Operational")
			e.Set("winlog.event_id", event.Int(1))
			e.SetString("winlog.computer_name", "host"+strconv.Itoa(k>>5%hosts))
			e.SetString("winlog.event_data.Image", `C:\Windows\System32\svchost.exe`)
			e.SetString("winlog.event_data.CommandLine", `svchost.exe -k netsvcs -p -s Schedule`)
			e.SetString("winlog.event_data.User", "NT AUTHORITY\\SYSTEM")
		case r < 3:
			ids := []int64{4624, 4625, 4625, 4672, 4688, 4634, 4648}
			e.SetString("winlog.channel", "Security")
			e.Set("winlog.event_id", event.Int(ids[k>>3%7]))
			e.SetString("winlog.computer_name", "host"+strconv.Itoa(k>>5%hosts))
			e.SetString("winlog.event_data.TargetUserName", "user"+strconv.Itoa(k>>7%users))
			e.SetString("winlog.event_data.IpAddress", ip)
			e.SetString("winlog.event_data.LogonType", "3")
		case r < 8:
			e.Set("event.category", event.List([]string{"network"}))
			e.Set("event.type", event.List([]string{"connection", []string{"denied", "allowed"}[k>>9&1]}))
			e.SetString("event.action", []string{"deny", "allow"}[k>>9&1])
			e.SetString("observer.vendor", "Cisco")
			e.SetString("source.ip", ip)
			e.SetString("destination.ip", "192.168.1."+strconv.Itoa(k>>4%50))
			e.Set("destination.port", event.Int(int64(k>>6%1024)))
		default:
			e.SetString("http.request.method", "GET")
			e.Set("http.response.status_code", event.Int([]int64{200, 200, 404, 401, 302}[k>>5%5]))
			e.SetString("url.original", "/page/"+strconv.Itoa(k>>8%300))
			e.SetString("source.ip", ip)
		}
		for _, f := range e.Fields {
			bytes += int64(len(f.Name) + len(f.Value.Text()))
		}
		out[i] = e
	}
	return out, bytes / int64(n)
}

// BenchmarkEngineCorrelations measures events per second through the
// engine (matching, watch-lists, correlation, alerts) with 100 correlation
// rules over 8 detection rules, per core with -cpu 1. "none" is the same
// stream with the detection rules alone (each then raises its own alerts).
// "typical": 90% of the events are Sysmon noise no referenced rule
// matches, the hits draw from 500 users, 2,000 addresses and 100 hosts.
// "stress": no noise (80% of the events are hits, each feeding about 20
// correlations), from 5,000 users, 20,000 addresses and 500 hosts, so
// nearly every hit opens a group and the state sits at the
// 1,000,000-group cap, evicting.
func BenchmarkEngineCorrelations(b *testing.B) {
	for _, bc := range []struct {
		name                string
		corrs, noise        int
		users, addrs, hosts int
	}{{"none", 0, 90, 500, 2000, 100}, {"typical", 100, 90, 500, 2000, 100}, {"stress", 100, 0, 5000, 20000, 500}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "bench.yml"), []byte(benchBaseRules+benchCorrelations(bc.corrs)), 0o644); err != nil {
				b.Fatal(err)
			}
			alerts := 0
			sink := alert.SinkFunc(func(_ context.Context, as []alert.Alert) error { alerts += len(as); return nil })
			eng, err := New(Config{Dirs: []string{dir}, Logger: slog.New(slog.DiscardHandler), Lateness: time.Minute}, sink)
			if err != nil {
				b.Fatal(err)
			}
			if st := eng.Status(); st.Correlations != bc.corrs || len(st.Rejected) != 0 {
				b.Fatalf("status %+v", st)
			}
			const batch = 512
			events, size := benchEvents(1<<18, bc.noise, bc.users, bc.addrs, bc.hosts)
			b.ReportAllocs()
			b.SetBytes(batch * size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := i * batch % len(events)
				// the stream repeats: move it on in time so windows do not reopen
				if j == 0 && i > 0 {
					b.StopTimer()
					shift := time.Duration(len(events)) * time.Millisecond
					for _, e := range events {
						e.Timestamp = e.Timestamp.Add(shift)
					}
					b.StartTimer()
				}
				if err := eng.Write(context.Background(), events[j:j+batch]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(alerts)/float64(b.N*batch)*1e6, "alerts/Mevents")
			b.ReportMetric(float64(eng.Status().Correlation.Groups), "groups")
		})
	}
}
