package query

import (
	"reflect"
	"testing"
	"time"
)

func TestTerms(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		got := MustParse(in).Terms()
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Terms(%q) = %q, want %q", in, got, want)
		}
	}
	f(``)
	f(`*`)
	f(`error`, "error")
	f(`Error WARN`, "error", "warn")
	f(`"Failed password" for`, "failed", "for", "password")
	f(`10.0.0.5`, "0", "10", "5")
	f(`/etc/passwd`, "etc", "passwd")
	f(`ПАРОЛЬ`, "пароль")
	f(`message:failed event.original:root`, "failed", "root")
	f(`user.name:root`) // not full text
	f(`fail*`)
	f(`*fail`)
	f(`foo.*`, "foo")
	f(`*.foo.* x?y`, "foo")
	f(`a?b.cd`, "cd")
	f(`a OR b`)
	f(`(a b) OR (a c)`, "a")
	f(`(a b) OR (a c) OR a`, "a")
	f(`(a b) OR user.name:x`)
	f(`NOT a`)
	f(`a -b`, "a")
	f(`a | where b`, "a", "b")
	f(`a | sort x | fields message, event.original | where b`, "a", "b")
	f(`a | head 5 | where b`, "a")
	f(`a | stats count() by message | where message:b`, "a")
}

func TestFields(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		got := MustParse(in).Fields()
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Fields(%q) = %q, want %q", in, got, want)
		}
	}
	f(``)
	f(`*`)
	f(`error`, "event.original", "message")
	f(`b:1 a:* c:10.0.0.0/8 d>5 NOT e:x b:2`, "a", "b", "c", "d", "e")
	f(`| sort x | fields x, y | where y:1`, "x", "y")
	f(`a:1 | stats count(), dc(u) by h | where count > 1 | sort -count`, "a", "h", "u")
	f(`| timechart avg(b)`, "@timestamp", "b")
}

func TestShapeAndColumns(t *testing.T) {
	f := func(in string, shape Shape, all bool, cols ...string) {
		t.Helper()
		p := MustParse(in)
		if p.Shape() != shape || p.NeedsAllFields() != all || !reflect.DeepEqual(p.Columns(), cols) {
			t.Errorf("%q: shape %v, all fields %v, columns %q; want %v, %v, %q",
				in, p.Shape(), p.NeedsAllFields(), p.Columns(), shape, all, cols)
		}
	}
	f(`a`, ShapeEvents, true)
	f(`a | sort x | head 5`, ShapeEvents, true)
	f(`a | fields x, y`, ShapeEvents, false, "x", "y")
	f(`| stats count() by h`, ShapeTable, false, "h", "count")
	f(`| stats count() as n, dc(u) by h | fields dc(u)`, ShapeTable, false, "dc(u)")
	f(`| timechart span=1h avg(b) by h`, ShapeTable, false, "_time", "h", "avg(b)")
	if ShapeEvents.String() != "events" || ShapeTable.String() != "table" {
		t.Errorf("shape names: %v, %v", ShapeEvents, ShapeTable)
	}
}

func TestSegments(t *testing.T) {
	f := func(in string, want ...Segment) {
		t.Helper()
		if got := Segments(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Segments(%q) = %v, want %v", in, got, want)
		}
	}
	f(``)
	f(`abc`, Segment{Text: "abc"})
	f(`*`, Segment{Wild: '*'})
	f(`***`, Segment{Wild: '*'})
	f(`a*b`, Segment{Text: "a"}, Segment{Wild: '*'}, Segment{Text: "b"})
	f(`*a**?b?`, Segment{Wild: '*'}, Segment{Text: "a"}, Segment{Wild: '*'}, Segment{Wild: '?'}, Segment{Text: "b"}, Segment{Wild: '?'})
	f(`C:\*\x`, Segment{Text: `C:\`}, Segment{Wild: '*'}, Segment{Text: `\x`})
}

func TestAutoSpan(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	f := func(d, want time.Duration) {
		t.Helper()
		if got := AutoSpan(t0, t0.Add(d)); got != want {
			t.Errorf("AutoSpan(%v) = %v, want %v", d, got, want)
		}
	}
	f(time.Minute, time.Second)
	f(100*time.Second, time.Second)
	f(101*time.Second, 5*time.Second)
	f(time.Hour, time.Minute)
	f(24*time.Hour, 30*time.Minute)
	f(7*24*time.Hour, 3*time.Hour)
	f(365*24*time.Hour, 7*24*time.Hour)
	f(100*365*24*time.Hour, 30*24*time.Hour)
	if got := AutoSpan(time.Time{}, t0); got != DefaultSpan {
		t.Errorf("open range: %v, want %v", got, DefaultSpan)
	}
	if got := AutoSpan(t0, t0); got != DefaultSpan {
		t.Errorf("empty range: %v, want %v", got, DefaultSpan)
	}
}

func TestAggName(t *testing.T) {
	f := func(a Agg, want string) {
		t.Helper()
		if got := a.Name(); got != want {
			t.Errorf("%+v.Name() = %q, want %q", a, got, want)
		}
	}
	f(Agg{Func: Count}, "count")
	f(Agg{Func: Count, Field: "x"}, "count(x)")
	f(Agg{Func: DistinctCount, Field: "user.name"}, "dc(user.name)")
	f(Agg{Func: Values, Field: "x", As: "vs"}, "vs")
}
