package demo

import (
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/vigilsiem/vigil/internal/event"
)

// place is a made-up location of a documentation network.
type place struct {
	prefix             netip.Prefix
	iso, country, city string
	lat, lon           float64
}

// places locate the documentation networks the demo's outside addresses
// come from. The locations are invented for the demo; no GeoIP database
// knows these networks.
var places = []place{
	{netip.MustParsePrefix("198.51.100.0/27"), "US", "United States", "Ashburn", 39.04, -77.49},
	{netip.MustParsePrefix("198.51.100.32/27"), "DE", "Germany", "Frankfurt am Main", 50.11, 8.68},
	{netip.MustParsePrefix("198.51.100.64/27"), "GB", "United Kingdom", "London", 51.51, -0.13},
	{netip.MustParsePrefix("198.51.100.96/27"), "JP", "Japan", "Tokyo", 35.68, 139.69},
	{netip.MustParsePrefix("198.51.100.128/27"), "BR", "Brazil", "São Paulo", -23.55, -46.63},
	{netip.MustParsePrefix("198.51.100.160/27"), "IN", "India", "Mumbai", 19.08, 72.88},
	{netip.MustParsePrefix("198.51.100.192/27"), "AU", "Australia", "Sydney", -33.87, 151.21},
	{netip.MustParsePrefix("198.51.100.224/27"), "ZA", "South Africa", "Johannesburg", -26.20, 28.05},
	{netip.MustParsePrefix("203.0.113.0/25"), "NL", "Netherlands", "Amsterdam", 52.37, 4.90},
	{netip.MustParsePrefix("203.0.113.128/25"), "SG", "Singapore", "Singapore", 1.35, 103.82},
	{netip.MustParsePrefix("192.0.2.0/24"), "CA", "Canada", "Toronto", 43.65, -79.38},
}

// geoFields are the source.geo.* fields of an outside address, nil for
// an address of no place.
func geoFields(ip string) []event.Field {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return nil
	}
	for _, p := range places {
		if p.prefix.Contains(a) {
			return []event.Field{
				{Name: "source.geo.country_iso_code", Value: event.String(p.iso)},
				{Name: "source.geo.country_name", Value: event.String(p.country)},
				{Name: "source.geo.city_name", Value: event.String(p.city)},
				{Name: "source.geo.location.lat", Value: event.Float(p.lat)},
				{Name: "source.geo.location.lon", Value: event.Float(p.lon)},
			}
		}
	}
	return nil
}

// outsideAddr is a random address of a random place but the attacker's
// (203.0.113.0/25).
func outsideAddr(r *rand.Rand) string {
	for {
		p := places[r.IntN(len(places))]
		if p.iso == "NL" {
			continue
		}
		return randomIn(r, p.prefix)
	}
}

// homeAddr is an address in the user's own city: every employee works from
// one place (the office, Toronto, or home), so the benign traffic raises no
// new-country or impossible-travel alert; only the attack story does.
func homeAddr(r *rand.Rand, user string) string {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(user); i++ {
		h = (h ^ uint32(user[i])) * 16777619
	}
	for i := uint32(0); ; i++ {
		p := places[(h+i)%uint32(len(places))]
		if p.iso != "NL" { // Amsterdam is where the attack comes from
			return randomIn(r, p.prefix)
		}
	}
}

func randomIn(r *rand.Rand, p netip.Prefix) string {
	a := p.Addr().As4()
	host := 32 - p.Bits()
	n := uint32(1 + r.IntN(1<<host-2))
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= n
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff)
}
