package event

import (
	"strconv"
	"testing"
)

var sinkBytes []byte

func BenchmarkAppendJSON(b *testing.B) {
	e := sample()
	buf := e.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendJSON(buf[:0])
	}
	sinkBytes = buf
}

func BenchmarkBinaryRoundTrip(b *testing.B) {
	e := sample()
	buf, _ := e.AppendBinary(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var back Event
	for b.Loop() {
		buf, _ = e.AppendBinary(buf[:0])
		if err := back.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewID(b *testing.B) {
	rec := []byte("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = AppendID(buf[:0], "default", "syslog-tcp", "", 0, rec)
	}
	sinkBytes = buf
}

// wideEvent is a parsed firewall line: 45 fields under a vendor prefix.
func wideEvent(n int) *Event {
	e := &Event{}
	for i := 0; i < n; i++ {
		e.Append("fortinet.firewall.field"+strconv.Itoa(i), String("v"))
	}
	return e
}

// BenchmarkFieldAccess reads and writes fields of a small and a wide event
// the way a pipeline does: reads of present fields, a read of an absent
// one, and a Set that replaces a value.
func BenchmarkFieldAccess(b *testing.B) {
	for _, n := range []int{8, 45} {
		b.Run("fields="+strconv.Itoa(n), func(b *testing.B) {
			e := wideEvent(n)
			e.Set("source.ip", String("10.0.0.1"))
			names := []string{"fortinet.firewall.field" + strconv.Itoa(n/2), "fortinet.firewall.field" + strconv.Itoa(n-1), "source.ip", "destination.ip"}
			b.ReportAllocs()
			for b.Loop() {
				for _, name := range names {
					if v, ok := e.Get(name); ok {
						sinkValue = v
					}
				}
				e.Set("source.ip", String("10.0.0.2"))
			}
		})
	}
}

var sinkValue Value
