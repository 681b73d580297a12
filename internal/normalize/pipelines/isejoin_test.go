package pipelines

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// iseSegments are one RADIUS authentication (5200) as ISE sends it to a
// remote target with a short limit: three segments of message 0000412345,
// the user, the client's MAC and the result in the later two.
var iseSegments = []string{
	`<181>May 10 11:37:47 ise-psn01 CISE_Passed_Authentications 0000412345 3 0 2024-05-10 11:37:47.123 +02:00 0001234567 5200 NOTICE Passed-Authentication: Authentication succeeded, ConfigVersionId=144, Device IP Address=10.20.0.2, DestinationIPAddress=10.10.0.15, DestinationPort=1812,`,
	`<181>May 10 11:37:47 ise-psn01 CISE_Passed_Authentications 0000412345 3 1 UserName=CORP\jdoe, Protocol=Radius, RequestLatency=35, NetworkDeviceName=access-sw-01, User-Name=CORP\jdoe, NAS-IP-Address=10.20.0.2, NAS-Port=50112,`,
	`<181>May 10 11:37:47 ise-psn01 CISE_Passed_Authentications 0000412345 3 2 Calling-Station-ID=00-1A-2B-3C-4D-5E, NAS-Port-Type=Ethernet, AuthenticationMethod=dot1x, Response={RadiusPacketType=AccessAccept; AuthenticationResult=Passed; UserName=CORP\jdoe; },`,
}

// runBatches parses each batch of lines as serve does and runs it through
// the normalisers before the pipelines (one set of them, as a serve
// worker keeps) and the built-in pipelines.
func runBatches(t *testing.T, before []pipeline.Processor, batches ...[]string) [][]*event.Event {
	t.Helper()
	set := builtinSet(t)
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]*event.Event
	for _, lines := range batches {
		var evs []*event.Event
		for _, l := range lines {
			e := &event.Event{}
			if err := pipeline.ParseRecord(ps, "default", "syslog", time.Now(), &pipeline.Record{Data: []byte(l)}, e); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		for _, p := range before {
			evs = p.Process(context.Background(), evs)
		}
		for _, e := range evs {
			if _, _, err := set.Run(e); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, evs)
	}
	return out
}

func wantISE(t *testing.T, e *event.Event) {
	t.Helper()
	for f, want := range map[string]string{
		"vigil.pipeline": "cisco.ise", "event.code": "5200", "event.outcome": "success", "user.name": "jdoe",
		"user.domain": "CORP", "source.ip": "10.20.0.2", "source.mac": "00-1A-2B-3C-4D-5E", "destination.port": "1812",
		"cisco.ise.authentication_method": "dot1x", "host.name": "ise-psn01",
	} {
		if v, _ := e.Get(f); v.Text() != want {
			t.Errorf("%s = %q, want %q", f, v.Text(), want)
		}
	}
	for i, s := range iseSegments {
		part := s
		if i > 0 {
			part = s[strings.Index(s, " 3 "+string(rune('0'+i))+" ")+5:]
		}
		if !strings.Contains(e.Original, part) {
			t.Errorf("event.original lacks segment %d", i)
		}
	}
}

// TestISESegmentsJoined: the segments of one message in a batch, in any
// order, become one event that the cisco.ise pipeline maps whole; another
// record of the batch is left alone.
func TestISESegmentsJoined(t *testing.T) {
	other := `<13>May 10 11:37:48 host1 myapp[42]: unrelated`
	batches := runBatches(t, goNormalizers(), []string{iseSegments[0], other, iseSegments[2], iseSegments[1]})
	evs := batches[0]
	if len(evs) != 2 {
		t.Fatalf("%d events, want the joined message and the other record", len(evs))
	}
	wantISE(t, evs[0])
	if evs[1].Original != other {
		t.Errorf("other record: %q", evs[1].Original)
	}
}

// TestISESegmentsAcrossBatches: a message cut by a batch boundary is
// stored segment by segment (nothing is held back), then whole, marked as
// a continuation, when its last segment comes.
func TestISESegmentsAcrossBatches(t *testing.T) {
	before := goNormalizers()
	var j *normalize.ISEJoin
	for _, p := range before {
		if p, ok := p.(*normalize.ISEJoin); ok {
			j = p
		}
	}
	if j == nil {
		t.Fatal("no ISE join among the normalisers before the pipelines")
	}
	batches := runBatches(t, before, iseSegments[:1], iseSegments[1:])
	if len(batches[0]) != 1 || len(batches[1]) != 1 {
		t.Fatalf("events per batch: %d, %d; want 1, 1", len(batches[0]), len(batches[1]))
	}
	if v, _ := batches[0][0].Get("event.code"); v.Text() != "5200" {
		t.Errorf("segment 0 alone: event.code %q", v.Text())
	}
	e := batches[1][0]
	wantISE(t, e)
	if v, _ := e.Get(normalize.FieldISEContinuation); v.Text() != "true" {
		t.Errorf("continuation not marked")
	}
	if j.Pending() != 0 {
		t.Errorf("%d messages still pending", j.Pending())
	}
}

// TestISEPendingBounded: incomplete messages are kept up to the bound.
func TestISEPendingBounded(t *testing.T) {
	j := normalize.NewISEJoin()
	for i := range normalize.MaxISEPending + 10 {
		e := &event.Event{Source: "s", Original: "<181>May 10 11:37:47 ise CISE_Guest " + strconv.Itoa(i) + " 2 0 x"}
		e.Set("process.name", event.String("CISE_Guest"))
		j.Process(context.Background(), []*event.Event{e})
	}
	if n := j.Pending(); n != normalize.MaxISEPending {
		t.Errorf("pending %d, want %d", n, normalize.MaxISEPending)
	}
}
