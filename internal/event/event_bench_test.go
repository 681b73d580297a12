package event

import "testing"

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
