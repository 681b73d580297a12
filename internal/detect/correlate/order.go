package correlate

// touchList keeps the groups of one correlation in one tenant in the order
// they were last hit, least recently first: expiry and eviction take from
// the front. Touching a group moves it to the back in constant time (an
// intrusive doubly linked list; a heap by deadline would sift through
// log n cache misses for every hit). As event time mostly moves forward
// with the wall clock, the front holds the oldest windows.
type touchList struct {
	head, tail *group
	n          int
}

// pushBack appends g.
func (l *touchList) pushBack(g *group) {
	g.prev, g.next = l.tail, nil
	if l.tail == nil {
		l.head = g
	} else {
		l.tail.next = g
	}
	l.tail = g
	l.n++
}

func (l *touchList) remove(g *group) {
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

// touch moves g to the back.
func (l *touchList) touch(g *group) {
	if l.tail == g {
		return
	}
	l.remove(g)
	l.pushBack(g)
}

// groups returns the groups in order.
func (l *touchList) groups() []*group {
	out := make([]*group, 0, l.n)
	for g := l.head; g != nil; g = g.next {
		out = append(out, g)
	}
	return out
}

// build links groups in the order given.
func (l *touchList) build(gs []*group) {
	*l = touchList{}
	for _, g := range gs {
		l.pushBack(g)
	}
}
