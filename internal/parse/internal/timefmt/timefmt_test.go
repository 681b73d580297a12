package timefmt

import (
	"strings"
	"testing"
	"time"
)

func TestRFC3339(t *testing.T) {
	f := func(in, want string, n int) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			got, m, _, reason := RFC3339(in)
			if m != n {
				t.Fatalf("consumed %d (%s), want %d", m, reason, n)
			}
			if n > 0 && got.Format(time.RFC3339Nano) != want {
				t.Errorf("got %s, want %s", got.Format(time.RFC3339Nano), want)
			}
		})
	}
	f("2026-11-23T10:20:30Z", "2026-11-23T10:20:30Z", 20)
	f("2026-11-23T10:20:30.123456+01:00 host", "2026-11-23T09:20:30.123456Z", 32)
	f("2026-11-23t10:20:30,5z", "2026-11-23T10:20:30.5Z", 22)
	f("2026-11-23T23:30:00-05:30", "2026-11-24T05:00:00Z", 25)
	f("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z", 20)
	f("2026-02-29T00:00:00Z", "", 0)
	f("2026-11-23 10:20:30Z", "", 0)
	f("2026-11-23T24:00:00Z", "", 0)
	f("2026-11-23T10:20:30", "", 0)
}

// FuzzRFC3339 compares with time.Parse: what both accept is the same instant.
func FuzzRFC3339(f *testing.F) {
	f.Add("2026-11-23T10:20:30.123456+01:00")
	f.Add("2024-02-29T23:59:59Z")
	f.Fuzz(func(t *testing.T, in string) {
		got, n, _, _ := RFC3339(in)
		if n == 0 {
			return
		}
		if n > len(in) {
			t.Fatalf("consumed %d of %d", n, len(in))
		}
		s := in[:n]
		if strings.ContainsAny(s, "tz,") || strings.Contains(s, ":60") {
			return // forms time.Parse does not take
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("RFC3339 accepted %q, time.Parse: %v", s, err)
		}
		if !got.Equal(want) {
			t.Fatalf("%q: got %v, time.Parse %v", s, got, want)
		}
	})
}

func TestBSD(t *testing.T) {
	f := func(in string, want Stamp, n int) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			got, m := BSD(in)
			if m != n || got != want {
				t.Errorf("got %+v (%d), want %+v (%d)", got, m, want, n)
			}
		})
	}
	f("Oct 11 22:14:15 host", Stamp{Month: 10, Day: 11, Hour: 22, Min: 14, Sec: 15}, 15)
	f("Oct  1 22:14:15", Stamp{Month: 10, Day: 1, Hour: 22, Min: 14, Sec: 15}, 15)
	f("oct 1 22:14:15.5", Stamp{Month: 10, Day: 1, Hour: 22, Min: 14, Sec: 15, Nsec: 500000000}, 16)
	f("Feb 29 2024 01:02:03", Stamp{Year: 2024, Month: 2, Day: 29, Hour: 1, Min: 2, Sec: 3}, 20)
	f("Feb 29 2026 01:02:03", Stamp{}, 0)
	f("Foo 11 22:14:15", Stamp{}, 0)
	f("Oct 32 22:14:15", Stamp{}, 0)
	f("Oct 11 22:14", Stamp{}, 0)
}

func TestDevice(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			got, ok := Device(in, now, time.UTC)
			if want == "" {
				if ok {
					t.Errorf("accepted as %v", got)
				}
				return
			}
			if !ok || got.Format(time.RFC3339Nano) != want {
				t.Errorf("got %v %v, want %s", got, ok, want)
			}
		})
	}
	f("1764000000123", "2025-11-24T16:00:00.123Z")
	f("1764000000", "2025-11-24T16:00:00Z")
	f("Nov 23 2026 10:20:30", "2026-11-23T10:20:30Z")
	f("Nov 23 2026 10:20:30.250 UTC", "2026-11-23T10:20:30.25Z")
	f("Nov 23 2026 10:20:30 PST", "2026-11-23T18:20:30Z")
	f("Nov 23 2026 10:20:30 +0130", "2026-11-23T08:50:30Z")
	f("Nov 23 2026 10:20:30 Europe/Berlin", "2026-11-23T09:20:30Z")
	f("Nov 23 10:20:30", "2026-11-23T10:20:30Z")
	f("2026-11-23T10:20:30+02:00", "2026-11-23T08:20:30Z")
	f("Nov 23 2026 10:20:30 IST", "")
	f("Nov 23 2026 10:20:30 Nowhere/Land", "")
	f("yesterday", "")
}

func TestJavaLayout(t *testing.T) {
	f := func(pattern, value, want string) {
		t.Helper()
		t.Run(pattern, func(t *testing.T) {
			layout, err := JavaLayout(pattern)
			if want == "" {
				if err == nil {
					t.Errorf("accepted as %q", layout)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := time.Parse(layout, value)
			if err != nil || got.UTC().Format(time.RFC3339Nano) != want {
				t.Errorf("layout %q: %v %v, want %s", layout, got, err, want)
			}
		})
	}
	f("MMM dd yyyy HH:mm:ss", "Nov 23 2026 10:20:30", "2026-11-23T10:20:30Z")
	f("yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2026-11-23T10:20:30.250+0100", "2026-11-23T09:20:30.25Z")
	f("yyyy-MM-dd'T'HH:mm:ssXXX", "2026-11-23T10:20:30Z", "2026-11-23T10:20:30Z")
	f("dd/MM/yy hh:mm:ss a", "23/11/26 10:20:30 PM", "2026-11-23T22:20:30Z")
	f("EEE, d MMMM yyyy H:m:s", "Mon, 23 November 2026 10:20:30", "2026-11-23T10:20:30Z")
	f("yyyy-ww", "", "")
	f("HH:mm:ssSSS", "", "")
	f("'Jan' yyyy", "", "")
	f("'open", "", "")
}

func TestYearInferenceAroundNewYear(t *testing.T) {
	// Exhaustive over a year of reference times: the inferred time is never
	// more than a day ahead of now nor more than ~11 months behind it.
	st := Stamp{Month: time.January, Day: 1, Hour: 0, Min: 0, Sec: 5}
	for d := 0; d < 366; d++ {
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		got := st.Time(now, time.UTC)
		if got.After(now.Add(futureSkew)) && got.Sub(now) > 32*24*time.Hour {
			t.Fatalf("now %v: %v is too far ahead", now, got)
		}
		if now.Sub(got) > 366*24*time.Hour {
			t.Fatalf("now %v: %v is too far behind", now, got)
		}
	}
}
