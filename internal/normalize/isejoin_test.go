package normalize

import (
	"context"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// FuzzISEJoin feeds random lines, in two batches, through the ISE segment
// join: nothing panics, no event is added, and the text of every record
// (a later segment's pairs) is in some event that comes out.
func FuzzISEJoin(f *testing.F) {
	seg := "<181>May 10 11:37:47 ise-psn01 CISE_Passed_Authentications 0000412345 "
	f.Add(seg+"3 0 2024-05-10 11:37:47.123 +02:00 0001234567 5200 NOTICE Passed-Authentication: ok, A=1,\n"+seg+"3 2 C=3,\n"+seg+"3 1 B=2,", 1)
	f.Add(seg+"2 1 B=2,\n"+seg+"2 1 B=2,\n"+seg+"2 0 x\n<13>May 10 11:37:48 h app: y", 2)
	f.Add(seg+"99999999999 0 x\n"+seg+"0 0 x\n"+seg+"2 5 x", 0)
	f.Fuzz(func(t *testing.T, lines string, cut int) {
		j := NewISEJoin()
		var in []*event.Event
		for _, l := range strings.Split(lines, "\n") {
			in = append(in, normtest.Parse(t, l))
		}
		var want []string
		for _, e := range in {
			text := e.Original
			if s, ok := parseISESegment(e); ok && s.seq > 0 {
				text = s.rest
			}
			want = append(want, strings.TrimRight(text, " \r\n"))
		}
		if cut < 0 || cut > len(in) {
			cut = len(in) / 2
		}
		b1 := append([]*event.Event(nil), in[:cut]...)
		b2 := append([]*event.Event(nil), in[cut:]...)
		out := append(j.Process(context.Background(), b1), j.Process(context.Background(), b2)...)
		if len(out) > len(in) {
			t.Fatalf("%d events out of %d", len(out), len(in))
		}
		for i, w := range want {
			found := false
			for _, e := range out {
				if e != nil && strings.Contains(e.Original, w) {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("record %d (%q) is in no event", i, w)
			}
		}
		if j.Pending() > MaxISEPending {
			t.Fatalf("%d pending", j.Pending())
		}
	})
}
