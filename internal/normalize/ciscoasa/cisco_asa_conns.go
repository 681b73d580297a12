package ciscoasa

import "sync"

// outboundConns remembers which ASA connections were built outbound, so
// their teardown (302014/302016, which does not say who initiated) can put
// the initiator in source as the built message does.
//
// It is bounded: two generations of at most maxConnsPerGen ids each; when
// the current one fills, it becomes the previous one and the oldest is
// dropped. A connection older than two generations, or whose teardown is
// normalised before its build (another pipeline worker), keeps the
// message's order. At ~60 bytes an entry the memory stays under 25 MB.
type outboundConns struct {
	mu        sync.Mutex
	cur, prev map[string]struct{}
}

const maxConnsPerGen = 200_000

// key names a connection: the device (connection ids are per device) and its id.
func connKey(device, id string) string { return device + "\x00" + id }

func (c *outboundConns) add(device, id string) {
	if c == nil || id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		c.cur = map[string]struct{}{}
	}
	if len(c.cur) >= maxConnsPerGen {
		c.prev, c.cur = c.cur, make(map[string]struct{}, maxConnsPerGen/4)
	}
	c.cur[connKey(device, id)] = struct{}{}
}

// take reports whether the connection was built outbound, and forgets it.
func (c *outboundConns) take(device, id string) bool {
	if c == nil || id == "" {
		return false
	}
	k := connKey(device, id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[k]; ok {
		delete(c.cur, k)
		return true
	}
	if _, ok := c.prev[k]; ok {
		delete(c.prev, k)
		return true
	}
	return false
}
