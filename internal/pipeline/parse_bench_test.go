package pipeline

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// BenchmarkParseRecord measures what the pipeline does per raw record
// around the parser: the envelope, event.id, the UTF-8 check of
// event.original. The parser is raw (message only), so the figure is
// mostly this overhead.
//
//	go test ./internal/pipeline -run '^$' -bench ParseRecord
func BenchmarkParseRecord(b *testing.B) {
	ps, err := parse.New("raw", parse.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := &Record{Data: []byte("<38>Nov 23 10:00:00 web sshd[42]: Failed password for invalid user admin from 203.0.113.9 port 52144 ssh2"), Peer: "10.0.0.5:514"}
	now := time.Now()
	e := &event.Event{}
	b.SetBytes(int64(len(r.Data)))
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		if err := ParseRecord(ps, "default", "syslog-tcp", now, r, e); err != nil {
			b.Fatal(err)
		}
	}
}
