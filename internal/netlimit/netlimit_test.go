package netlimit

import (
	"net"
	"testing"
)

// TestListenerCaps: a client over its per-peer cap is closed at once while
// another client still gets in; at the listener cap everyone waits for a
// close; a close frees the slot.
func TestListenerCaps(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := NewListener(inner, Limits{Max: 3, PerPeer: 2})
	refused := make(chan string, 10)
	ln.Refused = func(reason string, _ net.Addr) { refused <- reason }
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func(local string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		c, err := d.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a1, a2 := dial("127.0.0.1"), dial("127.0.0.1")
	s1, s2 := <-accepted, <-accepted
	a3 := dial("127.0.0.1")
	if r := <-refused; r != ReasonPeer {
		t.Fatalf("third connection of one peer: refused %q, want %q", r, ReasonPeer)
	}
	// The refused connection is closed: a read ends.
	if _, err := a3.Read(make([]byte, 1)); err == nil {
		t.Error("a refused connection stayed open")
	}
	b1 := dial("127.0.0.2")
	s3 := <-accepted
	b2 := dial("127.0.0.2")
	if r := <-refused; r != ReasonListener {
		t.Fatalf("fourth connection: refused %q, want %q", r, ReasonListener)
	}
	if ln.Open() != 3 {
		t.Fatalf("open %d, want 3", ln.Open())
	}
	s1.Close()
	b3 := dial("127.0.0.2")
	<-accepted
	for _, c := range []net.Conn{a1, a2, a3, b1, b2, b3, s2, s3} {
		c.Close()
	}
}
