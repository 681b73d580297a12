package syslogpri

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestParse(t *testing.T) {
	f := func(in string, pri, n int) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			p, m, reason := Parse(in)
			if p != pri || m != n {
				t.Errorf("got %d,%d (%s), want %d,%d", p, m, reason, pri, n)
			}
			if m == 0 && reason == "" {
				t.Errorf("no reason for a failure")
			}
		})
	}
	f("<0>", 0, 3)
	f("<13>x", 13, 4)
	f("<191>", 191, 5)
	f("<192>", 0, 0)
	f("<01>", 0, 0)
	f("<>", 0, 0)
	f("<1", 0, 0)
	f("<1234>", 0, 0)
	f("13>", 0, 0)
	f("", 0, 0)
}

func TestAppend(t *testing.T) {
	e := &event.Event{}
	Append(e, 165) // local4.notice
	want := map[string]string{
		FieldPriority: "165", FieldFacilityCode: "20", FieldFacilityName: "local4",
		FieldSeverityCode: "5", FieldSeverityName: "notice", FieldLevel: "notice",
	}
	for k, v := range want {
		if got := e.GetString(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if FacilityName(24) != "" || SeverityName(8) != "" || FacilityName(15) != "solaris-cron" {
		t.Errorf("names out of range")
	}
}
