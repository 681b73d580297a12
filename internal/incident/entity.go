package incident

import (
	"slices"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/store"
)

// Entity keys name an entity by kind and normalised value
// (store.EntitySearchKeys says how): grouping links alerts by the keys
// the store's entity filter matches.
const (
	keyHost = store.EntityKeyHost
	keyUser = store.EntityKeyUser
	keyIP   = store.EntityKeyIP
)

func normName(s string) string { return store.NormEntityName(s) }

func normIP(s string) string { return store.NormEntityIP(s) }

// SearchKeys returns the keys of every entity (all kinds, none ignored):
// what the entity filter of a listing matches.
func SearchKeys(en alert.Entities) []string { return store.EntitySearchKeys(en) }

// FilterKeys returns the keys a value given to the entity filter matches:
// it may be a host, a user or an address.
func FilterKeys(v string) []string { return store.EntityFilterKeys(v) }

// Kinds of entity in an incident's entity set: hosts, users, source and
// destination addresses. Both kinds of address link as keyIP.
const (
	entHost = "h:"
	entUser = "u:"
	entSrc  = "s:"
	entDst  = "d:"
)

// linker says which entity keys link alerts, per the configuration.
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

// link returns the linking key of an entity key, if it links.
func (l *linker) link(ent string) (string, bool) {
	kind, v := ent[:2], ent[2:]
	if l.ignore[v] {
		return "", false
	}
	switch kind {
	case entHost:
		return keyHost + v, l.hosts
	case entUser:
		return keyUser + v, l.users
	default:
		return keyIP + v, l.ips
	}
}

// keys appends the linking keys of en to dst, without duplicates.
func (l *linker) keys(en alert.Entities, dst []string) []string {
	eachEntity(en, func(ent, _ string) {
		if k, ok := l.link(ent); ok && !slices.Contains(dst, k) {
			dst = append(dst, k)
		}
	})
	return dst
}

// eachEntity calls fn with the entity key and the value of each entity.
func eachEntity(en alert.Entities, fn func(ent, value string)) {
	for _, kl := range []struct {
		kind string
		vals []string
		norm func(string) string
	}{{entHost, en.Hosts, normName}, {entUser, en.Users, normName}, {entSrc, en.SourceIPs, normIP}, {entDst, en.DestinationIPs, normIP}} {
		for _, v := range kl.vals {
			if n := kl.norm(v); n != "" {
				fn(kl.kind+n, v)
			}
		}
	}
}

// tracked is an incident in memory with the sets that make adding an alert
// to it cost the alert's size, not the incident's.
type tracked struct {
	Incident
	// ents holds the entity keys of Entities.
	ents map[string]struct{}
	// links holds the linking keys it is indexed under (while indexed).
	links map[string]struct{}
}

func track(inc Incident) *tracked {
	t := &tracked{Incident: inc, ents: map[string]struct{}{}}
	eachEntity(inc.Entities, func(ent, _ string) { t.ents[ent] = struct{}{} })
	return t
}

// addEntities adds the entities of src it lacks, up to MaxEntities per
// kind, and returns the entity keys added.
func (t *tracked) addEntities(src alert.Entities) []string {
	var added []string
	eachEntity(src, func(ent, v string) {
		if _, ok := t.ents[ent]; ok {
			return
		}
		var l *[]string
		switch ent[:2] {
		case entHost:
			l = &t.Entities.Hosts
		case entUser:
			l = &t.Entities.Users
		case entSrc:
			l = &t.Entities.SourceIPs
		default:
			l = &t.Entities.DestinationIPs
		}
		if len(*l) >= MaxEntities {
			return
		}
		*l = append(*l, v)
		t.ents[ent] = struct{}{}
		added = append(added, ent)
	})
	return added
}
