package alert

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// sameAsMarshal checks that AppendJSON(a) decodes to what json.Marshal(a)
// decodes to, as a generic value (so names and omissions count) and as an
// Alert.
func sameAsMarshal(t *testing.T, a *Alert) {
	t.Helper()
	want, werr := json.Marshal(a)
	got, gerr := AppendJSON(nil, a)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("json.Marshal error %v, AppendJSON error %v", werr, gerr)
	}
	if werr != nil {
		return
	}
	var wv, gv any
	if err := json.Unmarshal(want, &wv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &gv); err != nil {
		t.Fatalf("AppendJSON wrote invalid JSON %s: %v", got, err)
	}
	if !reflect.DeepEqual(wv, gv) {
		t.Fatalf("AppendJSON\n%s\njson.Marshal\n%s", got, want)
	}
}

// TestAppendJSONAsMarshal: every part set, none set, nil and empty lists,
// strings that need escaping, times in a zone.
func TestAppendJSONAsMarshal(t *testing.T) {
	full := fullAlert()
	full.Assignee = "kato"
	sameAsMarshal(t, &full)
	sameAsMarshal(t, &Alert{})
	zone := time.FixedZone("X", 3600+1800)
	odd := Alert{ID: "a\"\\\n\x01<>&\u2028\xff", Title: "é 日本", Tags: []string{}, EventIDs: []string{},
		Entities: Entities{Users: []string{"\t"}}, First: time.Date(2026, 1, 2, 3, 4, 5, 6, zone), Last: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	sameAsMarshal(t, &odd)
	sels := Alert{Reason: &Reason{Selections: []ReasonSelection{{Name: "a", Fields: nil}, {Name: "b", Fields: []ReasonField{}},
		{Name: "c", Fields: []ReasonField{{Field: "f", Modifier: "contains|all", Value: "<v>", EventField: "e.f"}, {Value: "kw"}}}}}}
	sameAsMarshal(t, &sels)
	sameAsMarshal(t, &Alert{Reason: &Reason{}})
	sameAsMarshal(t, &Alert{Reason: &Reason{Selections: []ReasonSelection{}}})
	bad := Alert{First: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	sameAsMarshal(t, &bad)
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("id", "title", "host", "tag", int64(0), 3, true)
	f.Add("\xff\x00", "<&>", "", "\u2028", int64(-1<<62), -1, false)
	f.Fuzz(func(t *testing.T, id, title, host, tag string, nanos int64, count int, empty bool) {
		a := Alert{ID: id, Title: title, Level: tag, Count: count, First: time.Unix(0, nanos).UTC(), Last: time.Unix(0, nanos/2),
			Tags: []string{tag, id}, Entities: Entities{Hosts: []string{host}}, Status: Status(title)}
		if empty {
			a.Tags, a.EventIDs = []string{}, []string{}
		} else {
			a.EventIDs = []string{host}
			a.Reason = &Reason{Selections: []ReasonSelection{{Name: title, Fields: []ReasonField{{Value: id}}}}}
		}
		sameAsMarshal(t, &a)
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	a := fullAlert()
	a.Triage, a.Correlation, a.Analytic = nil, nil, nil
	a.Reason.Group, a.Reason.Events = nil, nil // a detection rule's alert
	one, _ := json.Marshal(a)
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(one)))
		var buf []byte
		for b.Loop() {
			buf, _ = AppendJSON(buf[:0], &a)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(one)))
		for b.Loop() {
			_, _ = json.Marshal(&a)
		}
	})
}
