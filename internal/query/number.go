package query

import "strconv"

// IsDecimal reports whether s is a decimal number as the search language
// reads one: a sign, digits, a fraction, an exponent (and not the hex,
// inf or nan that strconv.ParseFloat takes). The compilers and the route
// filter (internal/forward/filter) share it, so a term is a number in a
// route exactly when it is one in a search.
func IsDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// Number parses a decimal number (IsDecimal): an int64 when it is one,
// else a float64.
func Number(s string) (any, bool) {
	if !IsDecimal(s) {
		return nil, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
