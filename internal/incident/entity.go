package incident

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
)

// Entity keys name an entity by kind and normalised value: host and user
// names compare without case (Windows names are case-insensitive, and logs
// spell them both ways), IP addresses by their canonical form (an IPv4
// address mapped into IPv6 is the IPv4 address). Source and destination
// addresses share one kind.
const (
	keyHost = "h:"
	keyUser = "u:"
	keyIP   = "i:"
)

func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.ContainsAny(s, "\n\r") {
		s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	}
	return s
}

func normIP(s string) string {
	if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return normName(s)
}

// SearchKeys returns the keys of every entity (all kinds, none ignored):
// what the entity filter of a listing matches.
func SearchKeys(en alert.Entities) []string {
	var keys []string
	add := func(prefix string, vals []string, norm func(string) string) {
		for _, v := range vals {
			if n := norm(v); n != "" {
				keys = append(keys, prefix+n)
			}
		}
	}
	add(keyHost, en.Hosts, normName)
	add(keyUser, en.Users, normName)
	add(keyIP, en.SourceIPs, normIP)
	add(keyIP, en.DestinationIPs, normIP)
	slices.Sort(keys)
	return slices.Compact(keys)
}

// FilterKeys returns the keys a value given to the entity filter matches:
// it may be a host, a user or an address.
func FilterKeys(v string) []string {
	return []string{keyHost + normName(v), keyUser + normName(v), keyIP + normIP(v)}
}

// linker computes the keys that link alerts, per the configuration.
type linker struct {
	hosts, users, ips bool
	ignore            map[string]bool
}

func newLinker(linkBy, ignore []string) linker {
	l := linker{ignore: map[string]bool{}}
	for _, k := range linkBy {
		switch k {
		case config.LinkHosts:
			l.hosts = true
		case config.LinkUsers:
			l.users = true
		case config.LinkIPs:
			l.ips = true
		}
	}
	for _, v := range ignore {
		l.ignore[normName(v)] = true
		l.ignore[normIP(v)] = true
	}
	return l
}

// keys appends the linking keys of en to dst, without duplicates.
func (l *linker) keys(en alert.Entities, dst []string) []string {
	add := func(on bool, prefix string, vals []string, norm func(string) string) {
		if !on {
			return
		}
		for _, v := range vals {
			n := norm(v)
			if n == "" || l.ignore[n] {
				continue
			}
			k := prefix + n
			if !slices.Contains(dst, k) {
				dst = append(dst, k)
			}
		}
	}
	add(l.hosts, keyHost, en.Hosts, normName)
	add(l.users, keyUser, en.Users, normName)
	add(l.ips, keyIP, en.SourceIPs, normIP)
	add(l.ips, keyIP, en.DestinationIPs, normIP)
	return dst
}

// mergeEntities adds the entities of src missing from dst (compared as
// keys), up to MaxEntities per kind, and reports whether dst changed.
func mergeEntities(dst *alert.Entities, src alert.Entities) bool {
	changed := false
	union := func(d *[]string, s []string, norm func(string) string) {
		for _, v := range s {
			if len(*d) >= MaxEntities {
				return
			}
			n := norm(v)
			if n == "" {
				continue
			}
			if !slices.ContainsFunc(*d, func(x string) bool { return norm(x) == n }) {
				*d = append(*d, v)
				changed = true
			}
		}
	}
	union(&dst.Hosts, src.Hosts, normName)
	union(&dst.Users, src.Users, normName)
	union(&dst.SourceIPs, src.SourceIPs, normIP)
	union(&dst.DestinationIPs, src.DestinationIPs, normIP)
	return changed
}
