package filter

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// compileRange compiles a range. Bounds are read by the value's kind:
// numbers for numeric values, times for time values. On a string value,
// bounds that are all numbers compare numerically (a value that is not a
// number is out of range), all IPv4 or all IPv6 addresses compare as
// addresses, and anything else compares as text, byte by byte.
func compileRange(r *query.Range) Predicate {
	if !r.HasLo && !r.HasHi {
		return field(r.Field, exists)
	}
	all := func(ok func(string) bool) bool {
		return (!r.HasLo || ok(r.Lo)) && (!r.HasHi || ok(r.Hi))
	}
	var str func(s string) bool
	switch {
	case all(query.IsDecimal):
		lo, hi := boundNum(r.Lo), boundNum(r.Hi)
		str = func(s string) bool {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			return err == nil && inRange(r, cmpFloat(f, lo), cmpFloat(f, hi))
		}
	case all(is4), all(is6):
		lo, hi := boundAddr(r.Lo), boundAddr(r.Hi)
		want4 := lo.Is4() || hi.Is4()
		str = func(s string) bool {
			a, ok := parseIP(s)
			return ok && a.Is4() == want4 && inRange(r, a.Compare(lo), a.Compare(hi))
		}
	default:
		str = func(s string) bool { return inRange(r, strings.Compare(s, r.Lo), strings.Compare(s, r.Hi)) }
	}
	lo, loOK := number(r.Lo)
	hi, hiOK := number(r.Hi)
	numOK := (!r.HasLo || loOK) && (!r.HasHi || hiOK)
	tlo, errLo := event.ParseTime(r.Lo)
	thi, errHi := event.ParseTime(r.Hi)
	timeOK := (!r.HasLo || errLo == nil) && (!r.HasHi || errHi == nil)
	return field(r.Field, func(v event.Value) bool {
		switch v.Kind() {
		case event.KindString, event.KindIP, event.KindList:
			return anyText(v, str)
		case event.KindInt, event.KindFloat:
			n := numOf(v)
			return numOK && inRange(r, cmpFloat(n, lo), cmpFloat(n, hi))
		case event.KindTime:
			t := micros(v.Time())
			return timeOK && inRange(r, cmpInt(t, micros(tlo)), cmpInt(t, micros(thi)))
		}
		return false
	})
}

// inRange reports whether a value is within r, given how it compares with
// the low and high bounds (-1, 0, +1); an absent bound is no limit.
func inRange(r *query.Range, vsLo, vsHi int) bool {
	if r.HasLo && (vsLo < 0 || vsLo == 0 && !r.IncLo) {
		return false
	}
	if r.HasHi && (vsHi > 0 || vsHi == 0 && !r.IncHi) {
		return false
	}
	return true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boundNum(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func boundAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// parseIP reads an IPv4 address in canonical dotted form or an IPv6
// address without an embedded IPv4 part or zone: the forms the stores'
// address comparisons read.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	if a.Is6() && strings.IndexByte(s, '.') >= 0 {
		return netip.Addr{}, false
	}
	return a, true
}

func is4(s string) bool { a, ok := parseIP(s); return ok && a.Is4() }
func is6(s string) bool { a, ok := parseIP(s); return ok && a.Is6() && !a.Is4In6() }
