package sigma

// The logsource index. A non-Windows logsource group fits an event only
// when at least one of its product, service and category is confirmed by
// the event (eventClass.fits), so the groups worth checking are those
// named under one of the products, services or categories the event says
// it has. The index maps each such value to its groups, and an sshd
// syslog event checks the few groups of linux, sshd and its categories
// instead of every group of the rule set. fits still decides, so the
// groups evaluated, and their order, are the same as testing every group.

// lsIndex maps logsource values to the indexes of the groups naming them,
// ascending.
type lsIndex struct {
	product, service, category map[string][]int32
}

func newLsIndex(groups []*lsGroup) lsIndex {
	x := lsIndex{product: map[string][]int32{}, service: map[string][]int32{}, category: map[string][]int32{}}
	for i, g := range groups {
		if g.ls.Product != "" {
			x.product[g.ls.Product] = append(x.product[g.ls.Product], int32(i))
		}
		if g.ls.Service != "" {
			x.service[g.ls.Service] = append(x.service[g.ls.Service], int32(i))
		}
		if g.ls.Category != "" {
			x.category[g.ls.Category] = append(x.category[g.ls.Category], int32(i))
		}
	}
	return x
}

// fitGroups returns the indexes of the groups whose logsource fits c, in
// group order. The slice is the view's scratch, valid until the next call.
func (v *view) fitGroups(c *eventClass) []int32 {
	rs := v.rs
	if len(v.gstamps) < len(rs.groups) {
		v.gstamps = make([]uint32, len(rs.groups))
	}
	v.gmark++
	if v.gmark == 0 {
		clear(v.gstamps)
		v.gmark = 1
	}
	mark := v.gmark
	out := v.gcands[:0]
	try := func(list []int32) {
		for _, gi := range list {
			if v.gstamps[gi] == mark {
				continue
			}
			v.gstamps[gi] = mark
			if c.fits(rs.groups[gi].ls) {
				out = append(out, gi)
			}
		}
	}
	for _, p := range c.products {
		try(rs.lsIdx.product[p])
	}
	for _, s := range c.services {
		try(rs.lsIdx.service[s])
	}
	for _, k := range c.categories {
		try(rs.lsIdx.category[k])
	}
	if len(out) > 1 {
		sortedInts(out)
	}
	v.gcands = out
	return out
}
