package event

import (
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/zeebo/xxh3"
)

// streamedID is AppendID through the streaming hasher alone, as ids were
// always computed: ids of stored data must not change.
func streamedID(tenant, source, position string, occurrence int, record []byte) string {
	h := xxh3.New128()
	writeField(h, tenant)
	writeField(h, source)
	if occurrence > 0 {
		var o [8]byte
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = byte(occurrence), byte(occurrence>>8), byte(occurrence>>16), byte(occurrence>>24), byte(occurrence>>32), byte(occurrence>>40), byte(occurrence>>48), byte(occurrence>>56)
		_, _ = h.WriteString(position)
		_, _ = h.Write(o[:])
		writeTrailer(h, 1, len(position))
	} else {
		writeField(h, position)
	}
	_, _ = h.Write(record)
	sum := h.Sum128().Bytes()
	return hex.EncodeToString(sum[:])
}

// TestIDOneShotEqualsStreamed checks the one-shot hash of short inputs
// against the streamed one, for records of every length around XXH3's
// internal boundaries (16, 128, 240 bytes, its 64-byte stripes and 1 KiB
// blocks) and the inline bound, with and without occurrences.
func TestIDOneShotEqualsStreamed(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rec := make([]byte, 2*idInlineMax)
	for i := range rec {
		rec[i] = byte(r.Uint32())
	}
	for n := 0; n <= len(rec); n++ {
		for _, occ := range []int{0, 1, 7} {
			pos := ""
			if n%3 == 0 {
				pos = "file.log:" + string(rune('0'+n%10))
			}
			got := NewID("default", "syslog-tcp", pos, occ, rec[:n])
			if want := streamedID("default", "syslog-tcp", pos, occ, rec[:n]); got != want {
				t.Fatalf("record of %d bytes, occurrence %d: got %s, want %s", n, occ, got, want)
			}
		}
	}
	// ids the code before the one-shot path gave (6ee9a3a)
	for _, c := range []struct {
		got, want string
	}{
		{NewID("t", "s", "", 0, []byte("x")), "f3007675cfc865a95189a18fd309ff14"},
		{NewID("default", "syslog-tcp", "f:1", 2, []byte("<34>Oct 11 22:14:15 mymachine su: 'su root' failed")), "46ccbc8f1bb31eb9a7a1179b8ffbbdec"},
	} {
		if c.got != c.want {
			t.Errorf("got id %s, want %s", c.got, c.want)
		}
	}
}
