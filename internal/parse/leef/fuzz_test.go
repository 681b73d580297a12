package leef

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: never panics; a record that parses gives valid fields and the
// same fields on the zero-copy and the copy path.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly",
		"LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5",
		"LEEF:2.0|V|P|1|E|0x7C|devTime=Nov 23 2026 10:20:30^devTimeFormat=MMM dd yyyy HH:mm:ss",
		"<13>Nov 23 10:00:00 qradar LEEF:1.0|V|P|1|E|src=10.0.0.1 usrName=John Smith",
		// LEEF 2.0 without the delimiter field (Deep Security).
		"LEEF:2.0|Trend Micro|Deep Security Agent|20.0|1000552|cat=Intrusion Prevention\tsrc=198.51.100.23\tact=Reset",
		"LEEF:2.0|V|P|1|E|a=1|b\tc=x09|",
		"LEEF:2.0|V|P|1|E|x09",
		"LEEF:2.0|V|P|1|E|=|a=1=b=2",
	} {
		f.Add(s)
	}
	p := newParser()
	f.Fuzz(func(t *testing.T, in string) {
		_, err := parsetest.BothPaths(t, p, in)
		if err != nil {
			return
		}
	})
}

// FuzzRoundTrip writes generated attributes with a LEEF 2.0 delimiter and
// expects them back.
func FuzzRoundTrip(f *testing.F) {
	f.Add(byte('^'), "name", "value with spaces", "other", "x=y")
	p := newParser()
	f.Fuzz(func(t *testing.T, d byte, k1, v1, k2, v2 string) {
		delim := string([]byte{d})
		if d == '|' || d == '=' || d == '\\' || d >= 0x80 || k1 == k2 || !attrKey(k1, delim) || !attrKey(k2, delim) ||
			!attrVal(v1, delim) || !attrVal(v2, delim) {
			return
		}
		rec := "LEEF:2.0|V|P|1|E|" + delim + "|" + k1 + "=" + strings.ReplaceAll(v1, "=", `\=`) + delim + k2 + "=" + strings.ReplaceAll(v2, "=", `\=`)
		e := parsetest.NewEvent(rec)
		if err := p.Parse([]byte(rec), e); err != nil {
			t.Fatalf("Parse(%q): %v", rec, err)
		}
		parsetest.Check(t, e, rec)
		for k, v := range map[string]string{"leef." + k1: v1, "leef." + k2: v2} {
			if got := e.GetString(k); got != v {
				t.Fatalf("%s = %q, want %q (record %q)", k, got, v, rec)
			}
		}
	})
}

func attrKey(k, delim string) bool {
	if k == "" || strings.TrimSpace(k) != k || strings.ContainsAny(k, "=\\") || strings.Contains(k, delim) {
		return false
	}
	_, predefined := ipKeys[k]
	_, isInt := intKeys[k]
	_, isStr := stringKeys[k]
	return !predefined && !isInt && !isStr && k != "identSrc" && k != "proto" && k != "devTime" && k != "devTimeFormat"
}

func attrVal(v, delim string) bool {
	return v != "" && !strings.Contains(v, delim) && !strings.Contains(v, `\`)
}
