package store

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/vigilsiem/vigil/internal/alert"
)

// Entity keys name an entity by kind and normalised value: host and user
// names compare without case (Windows names are case-insensitive, and logs
// spell them both ways), IP addresses by their canonical form (an IPv4
// address mapped into IPv6 is the IPv4 address). Source and destination
// addresses share one kind. Incident grouping links alerts by these keys,
// and a backend's incident entity filter matches them, so both compare
// entities the same way.
const (
	EntityKeyHost = "h:"
	EntityKeyUser = "u:"
	EntityKeyIP   = "i:"
)

// NormEntityName normalises a host or user name.
func NormEntityName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.ContainsAny(s, "\n\r") {
		s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	}
	return s
}

// NormEntityIP normalises an IP address (a value that is not one is
// normalised as a name).
func NormEntityIP(s string) string {
	if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return NormEntityName(s)
}

// EntitySearchKeys returns the keys of every entity (all kinds, none
// ignored), sorted and without repeats: what the entity filter of an
// incident listing matches.
func EntitySearchKeys(en alert.Entities) []string {
	var keys []string
	add := func(prefix string, vals []string, norm func(string) string) {
		for _, v := range vals {
			if n := norm(v); n != "" {
				keys = append(keys, prefix+n)
			}
		}
	}
	add(EntityKeyHost, en.Hosts, NormEntityName)
	add(EntityKeyUser, en.Users, NormEntityName)
	add(EntityKeyIP, en.SourceIPs, NormEntityIP)
	add(EntityKeyIP, en.DestinationIPs, NormEntityIP)
	slices.Sort(keys)
	return slices.Compact(keys)
}

// EntityFilterKeys returns the keys a value given to the entity filter
// matches: it may be a host, a user or an address.
func EntityFilterKeys(v string) []string {
	return []string{EntityKeyHost + NormEntityName(v), EntityKeyUser + NormEntityName(v), EntityKeyIP + NormEntityIP(v)}
}
