package httpin

import (
	"fmt"
	"testing"
)

var sinkEvents int

func hecBody(n int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		b = fmt.Appendf(b, `{"time":1700000000.%03d,"host":"web-%02d","source":"/var/log/nginx/access.log","sourcetype":"nginx","event":{"client":{"ip":"10.0.%d.%d"},"http":{"request":{"method":"GET"},"response":{"status_code":%d}},"url":{"path":"/api/v1/items/%d"},"user_agent":{"original":"curl/8.1"}}}`+"\n",
			i%1000, i%32, i%256, (i*7)%256, 200+i%5, i)
	}
	return b
}

func BenchmarkDecodeHEC(b *testing.B) {
	body := hecBody(1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		n, err := DecodeHEC(body, HECMeta{}, func(*HECEvent) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		sinkEvents += n
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDecodeBulk(b *testing.B) {
	var body []byte
	for i := 0; i < 1000; i++ {
		body = fmt.Appendf(body, `{"create":{"_index":"filebeat-8.17.0"}}`+"\n"+
			`{"@timestamp":"2026-11-23T10:00:%02d.000Z","message":"Accepted publickey for user%d from 10.0.%d.%d","host":{"name":"web-%02d"},"log":{"file":{"path":"/var/log/auth.log"}},"event":{"dataset":"system.auth"}}`+"\n",
			i%60, i%500, i%256, (i*7)%256, i%32)
	}
	p := principal{tenant: "default", source: "http"}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		n, err := DecodeBulk(body, "", func(it BulkItem) error {
			_, err := docEvent(p, it.Index, it.ID, 0, it.Doc)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		sinkEvents += n
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeHECText decodes string events, the raw records most HEC
// senders (Splunk forwarders, the OpenTelemetry exporter) post.
func BenchmarkDecodeHECText(b *testing.B) {
	var body []byte
	for i := range 1000 {
		body = fmt.Appendf(body, `{"time":1700000000.%03d,"host":"fw-%02d","source":"udp:514","sourcetype":"syslog","event":"<38>Nov 23 10:00:00 web sshd[42]: Failed password for invalid user admin%d from 203.0.113.%d port 52144 ssh2","fields":{"env":"prod"}}`+"\n",
			i%1000, i%32, i, i%256)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		n, err := DecodeHEC(body, HECMeta{}, func(*HECEvent) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		sinkEvents += n
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "events/s")
}
