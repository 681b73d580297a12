package correlate

import "sort"

// deadlineList keeps the groups of one correlation in one tenant sorted by
// deadline, oldest first: expiry takes from the front while the front's
// deadline has passed, eviction takes the front. It is an intrusive doubly
// linked list rather than a heap because a touched group's deadline almost
// always becomes the latest (event time moves forward), so re-sorting is a
// move to the back found in a step or two from there, where a heap would
// sift through log n cache misses for every hit.
type deadlineList struct {
	head, tail *group
	n          int
}

// insert places g by its deadline, searching from the back (an earliest
// deadline goes straight to the front).
func (l *deadlineList) insert(g *group) {
	at := l.tail
	if l.head != nil && g.deadline < l.head.deadline {
		at = nil
	}
	for at != nil && at.deadline > g.deadline {
		at = at.prev
	}
	// g goes after at (at nil: at the front)
	g.prev = at
	if at == nil {
		g.next = l.head
		l.head = g
	} else {
		g.next = at.next
		at.next = g
	}
	if g.next == nil {
		l.tail = g
	} else {
		g.next.prev = g
	}
	l.n++
}

func (l *deadlineList) remove(g *group) {
	if g.prev == nil {
		l.head = g.next
	} else {
		g.prev.next = g.next
	}
	if g.next == nil {
		l.tail = g.prev
	} else {
		g.next.prev = g.prev
	}
	g.prev, g.next = nil, nil
	l.n--
}

// fix restores the order after g's deadline changed.
func (l *deadlineList) fix(g *group) {
	if (g.prev == nil || g.prev.deadline <= g.deadline) && (g.next == nil || g.deadline <= g.next.deadline) {
		return
	}
	l.remove(g)
	l.insert(g)
}

// groups returns the groups in order.
func (l *deadlineList) groups() []*group {
	out := make([]*group, 0, l.n)
	for g := l.head; g != nil; g = g.next {
		out = append(out, g)
	}
	return out
}

// build links groups, sorting them by deadline.
func (l *deadlineList) build(gs []*group) {
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].deadline < gs[j].deadline })
	*l = deadlineList{}
	for _, g := range gs {
		g.prev, g.next = l.tail, nil
		if l.tail == nil {
			l.head = g
		} else {
			l.tail.next = g
		}
		l.tail = g
		l.n++
	}
}
