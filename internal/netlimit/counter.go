package netlimit

import (
	"net"
	"sync"
)

// Reasons a connection is refused.
const (
	ReasonListener = "listener"
	ReasonPeer     = "peer"
)

// Limits are the caps; zero means no cap.
type Limits struct {
	// Max bounds the open connections of the listener.
	Max int
	// PerPeer bounds the open connections of one client IP address.
	PerPeer int
}

// Counter counts open connections, in total and per client address.
type Counter struct {
	lim   Limits
	mu    sync.Mutex
	total int
	peers map[string]int
}

// NewCounter returns a counter enforcing lim.
func NewCounter(lim Limits) *Counter { return &Counter{lim: lim, peers: map[string]int{}} }

// Acquire counts a connection from addr, or says which cap refuses it.
// release must be called once when the connection closes.
func (c *Counter) Acquire(addr net.Addr) (release func(), refused string) {
	host := peerHost(addr)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lim.Max > 0 && c.total >= c.lim.Max {
		return nil, ReasonListener
	}
	if c.lim.PerPeer > 0 && c.peers[host] >= c.lim.PerPeer {
		return nil, ReasonPeer
	}
	c.total++
	c.peers[host]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.total--
			if c.peers[host]--; c.peers[host] <= 0 {
				delete(c.peers, host)
			}
			c.mu.Unlock()
		})
	}, ""
}

// Open is the number of connections counted now.
func (c *Counter) Open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func peerHost(addr net.Addr) string {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}
