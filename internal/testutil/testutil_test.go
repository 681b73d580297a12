package testutil

import (
	"net"
	"testing"
	"time"
)

func TestUDPBound(t *testing.T) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(c.LocalAddr().String())
	if ok, err := UDPBound(port); !ok || err != nil {
		t.Fatalf("bound port %s: %v %v", port, ok, err)
	}
	c.Close() // closing unbinds at once
	if ok, err := UDPBound(port); ok || err != nil {
		t.Fatalf("closed port %s: %v %v", port, ok, err)
	}
	if _, err := UDPBound("70000"); err == nil {
		t.Error("a port out of range was accepted")
	}
}

func TestPoll(t *testing.T) {
	n := 0
	if !Poll(WaitTimeout, func() bool { n++; return n == 3 }) || n != 3 {
		t.Fatalf("Poll stopped after %d checks", n)
	}
	if Poll(time.Millisecond, func() bool { return false }) {
		t.Fatal("Poll reported a condition that never held")
	}
}
