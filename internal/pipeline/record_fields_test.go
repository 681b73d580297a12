package pipeline

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// A record's Fields fill what the parser left unset (the record's own
// host stays), and its Time, when set, is the event's @timestamp.
func TestParseRecordFieldsAndTime(t *testing.T) {
	ps, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 10, 11, 40, 2, 500e6, time.UTC)
	r := &Record{Data: []byte("<38>May 10 11:41:00 bastion sshd[42]: Failed password for root from 203.0.113.9 port 52144 ssh2"),
		Fields: []event.Field{{Name: "host.name", Value: event.String("collector")}, {Name: "labels.env", Value: event.String("prod")}},
		Time:   at}
	e := &event.Event{}
	if err := ParseRecord(ps, "default", "hec", time.Now(), r, e); err != nil {
		t.Fatal(err)
	}
	if h, l := e.GetString("host.name"), e.GetString("labels.env"); h != "bastion" || l != "prod" {
		t.Errorf("host.name %q labels.env %q, want bastion, prod", h, l)
	}
	if !e.Timestamp.Equal(at) {
		t.Errorf("@timestamp %v, want %v", e.Timestamp, at)
	}
	r.Time = time.Time{}
	e = &event.Event{}
	if err := ParseRecord(ps, "default", "hec", time.Now(), r, e); err != nil {
		t.Fatal(err)
	}
	if e.Timestamp.Month() != time.May || e.Timestamp.Day() != 10 {
		t.Errorf("without Time: @timestamp %v, want the record's May 10", e.Timestamp)
	}
}
