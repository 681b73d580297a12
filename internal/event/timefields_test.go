package event

import (
	"testing"
	"time"
)

func TestFindRecordTime(t *testing.T) {
	f := func(name string, fields []Field, want time.Time) {
		t.Helper()
		got, ok := FindRecordTime(&Event{Fields: fields})
		if ok != !want.IsZero() || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", name, got, ok, want)
		}
	}
	day := time.Date(2020, 10, 18, 7, 50, 6, 220e6, time.UTC)
	f("TimeCreated", []Field{{"ts", Int(1)}, {"TimeCreated", String("2020-10-18 07:50:06.220")}}, day)
	f("nested SystemTime beats ts", []Field{{"ts", Int(1764000000)}, {"Event.System.TimeCreated.@SystemTime", String("2020-10-18T07:50:06.22Z")}}, day)
	f("not a TimeCreated", []Field{{"x.NotTimeCreated.SystemTime", String("2020-10-18T07:50:06.22Z")}}, time.Time{})
	f("epoch ns exact", []Field{{"time", Int(1764000000123456789)}}, time.Unix(1764000000, 123456789).UTC())
	f("float seconds", []Field{{"ts", Float(1764000000.5)}}, time.Unix(1764000000, 5e8).UTC())
	f("the first that parses", []Field{{"timestamp", String("later")}, {"date", String("2024-02-29")}}, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))
	f("a duration is no time", []Field{{"time", Float(0.25)}, {"ts", String("12:00:01")}}, time.Time{})
	f("nested names other than SystemTime are not time fields", []Field{{"x.time", String("2024-02-29")}}, time.Time{})
}

func TestTimeFieldRankOrder(t *testing.T) {
	order := []string{"TimeCreated", "EventTime", "timestamp", "Timestamp", "time", "eventTime", "TimeGenerated",
		"CreationTime", "createdDateTime", "published", "createdAt", "ts", "date"}
	for i, n := range order {
		if r := TimeFieldRank(n); r != i+1 {
			t.Errorf("TimeFieldRank(%q) = %d, want %d", n, r, i+1)
		}
	}
	if !IsSystemTime("TimeCreated.SystemTime") || !IsSystemTime("a.TimeCreated.@SystemTime") || IsSystemTime("aTimeCreated.SystemTime") ||
		TimeFieldRank("message") != 0 || TimeFieldRank("SystemTime") != 0 {
		t.Error("SystemTime")
	}
}
