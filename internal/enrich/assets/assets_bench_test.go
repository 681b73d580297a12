package assets

import (
	"net/netip"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// BenchmarkEnrich: an event with a host, two addresses and a user, one of
// each in the inventory; and one that names nothing in it.
func BenchmarkEnrich(b *testing.B) {
	dir := b.TempDir()
	a, err := New(Options{Hosts: []string{writeB(b, dir, "h.csv", hostsCSV)}, Users: []string{writeB(b, dir, "u.json", usersJSON)}})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, host, user string }{{"match", "dc01", "alice"}, {"none", "ws99", "mallory"}} {
		b.Run(c.name, func(b *testing.B) {
			base := &event.Event{}
			base.SetString("message", "x")
			base.SetString("host.name", c.host)
			base.SetString("user.name", c.user)
			base.Set("source.ip", event.IP(netip.MustParseAddr("198.51.100.7")))
			base.Set("destination.ip", event.IP(netip.MustParseAddr("10.20.3.4")))
			e := base.Clone()
			b.ReportAllocs()
			b.SetBytes(int64(len(base.AppendJSON(nil))))
			for i := 0; i < b.N; i++ {
				e.Fields = append(e.Fields[:0], base.Fields...)
				a.Enrich(e)
			}
		})
	}
}

func writeB(b *testing.B, dir, name, data string) string {
	b.Helper()
	p := dir + "/" + name
	if err := writeFile(p, data); err != nil {
		b.Fatal(err)
	}
	return p
}
