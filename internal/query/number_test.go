package query

import "testing"

func TestIsDecimal(t *testing.T) {
	for s, want := range map[string]bool{
		"1": true, "-1": true, "+1.5": true, ".5": true, "5.": true, "1e3": true, "1E-3": true, "-0.25e+2": true,
		"": false, "-": false, ".": false, "e3": false, "1e": false, "1e+": false, "0x10": false, "inf": false,
		"NaN": false, "1.2.3": false, "1 ": false, " 1": false, "١": false,
	} {
		if got := IsDecimal(s); got != want {
			t.Errorf("IsDecimal(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNumber(t *testing.T) {
	if v, ok := Number("42"); !ok || v != int64(42) {
		t.Errorf("Number(42) = %v %v", v, ok)
	}
	if v, ok := Number("1.5"); !ok || v != 1.5 {
		t.Errorf("Number(1.5) = %v %v", v, ok)
	}
	if v, ok := Number("99999999999999999999"); !ok || v != 1e20 {
		t.Errorf("Number(1e20 digits) = %v %v", v, ok)
	}
	if _, ok := Number("0x1p3"); ok {
		t.Error("Number took a hex float")
	}
}
