package netlimit

import (
	"net"
	"sync"
)

// Listener wraps a net.Listener: Accept closes connections over the caps
// at once (calling Refused) and returns the next one within them.
type Listener struct {
	net.Listener
	c *Counter
	// Refused, when set, is told of each connection closed over a cap.
	Refused func(reason string, peer net.Addr)
}

// NewListener caps ln's connections.
func NewListener(ln net.Listener, lim Limits) *Listener {
	return &Listener{Listener: ln, c: NewCounter(lim)}
}

// Accept implements net.Listener.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		release, refused := l.c.Acquire(conn.RemoteAddr())
		if refused != "" {
			if l.Refused != nil {
				l.Refused(refused, conn.RemoteAddr())
			}
			conn.Close()
			continue
		}
		return &conn1{Conn: conn, release: release}, nil
	}
}

// Open is the number of connections open now.
func (l *Listener) Open() int { return l.c.Open() }

// conn1 releases its count when closed.
type conn1 struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *conn1) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
