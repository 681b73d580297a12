package syslog

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/pipeline"
)

// occurrences returns the records' occurrences by their data, in order.
func occurrencesOf(recs []pipeline.Record) map[string][]int {
	out := map[string][]int{}
	for _, r := range recs {
		out[string(r.Data)] = append(out[string(r.Data)], r.Occurrence)
	}
	return out
}

// Issue 9, finding 12, on syslog: identical messages get distinct
// occurrences (so distinct ids) within one TCP connection, counted afresh on
// each connection, and within the life of a UDP listener.
func TestIdenticalMessagesGetOccurrences(t *testing.T) {
	const line = "<38>Nov 23 10:00:00 web sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2"
	rec := &recorder{}
	s, _ := startSource(t, Config{Protocol: ProtoTCP}, rec)
	for conn := 0; conn < 2; conn++ {
		c := dial(t, s)
		if _, err := fmt.Fprintf(c, "%s\nother %d\n%s\n%s\n", line, conn, line, line); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, 4*(conn+1), 5*time.Second)
		c.Close()
	}
	got := occurrencesOf(rec.records())
	if o := got[line]; len(o) != 6 || fmt.Sprint(o) != "[0 1 2 0 1 2]" {
		t.Errorf("tcp occurrences of the repeated line %v, want [0 1 2 0 1 2]", o)
	}
	if o := got["other 0"]; fmt.Sprint(o) != "[0]" {
		t.Errorf("tcp occurrences of a unique line %v", o)
	}

	rec = &recorder{}
	s, _ = startSource(t, Config{Protocol: ProtoUDP}, rec)
	c, err := net.Dial("udp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 3; i++ {
		if _, err := c.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, i+1, 5*time.Second)
	}
	if o := occurrencesOf(rec.records())[line]; fmt.Sprint(o) != "[0 1 2]" {
		t.Errorf("udp occurrences %v, want [0 1 2]", o)
	}
}
