package cef

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: never panics; a record that parses gives valid fields and the
// same fields on the zero-copy and the copy path.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"CEF:1|CarbonBlack|CBCSyslog|2.0|R|n|5|cat=CB_ANALYTICS\tact=DENY\tduser=a b\tdvc=10.0.0.1",
		`CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232`,
		`CEF:0|a\|b|c\\|1|2|n|High|msg=a\=b\nc cs1Label=L cs1=v rt=Nov 23 2026 10:20:30 UTC`,
		`<134>Oct 11 22:14:15 fw01 CEF:0|V|P|1|2|n|5|request=http://x/?a=b suser=John Smith`,
		`<134>1 2026-11-23T10:00:00Z fw01 cef - - - CEF:1|V|P|1|2|n|5|`,
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

// FuzzRoundTrip escapes generated header fields and extension values as a
// CEF producer must, and expects them back unchanged.
func FuzzRoundTrip(f *testing.F) {
	f.Add("Vendor|x", `Name \ y`, "cs1", "a=b c\\d\ne", "foo", "bar baz")
	f.Add("V", "n", "k", "", "k2", "v")
	p := newParser()
	f.Fuzz(func(t *testing.T, vendor, name, k1, v1, k2, v2 string) {
		if !key(k1) || !key(k2) || k1 == k2 || strings.HasSuffix(k1, "Label") || strings.HasSuffix(k2, "Label") ||
			!text(vendor) || !text(name) || !text(v1) || !text(v2) {
			return
		}
		if _, mapped := ecsTarget(k1); mapped {
			return
		}
		if _, mapped := ecsTarget(k2); mapped {
			return
		}
		hdrEsc := strings.NewReplacer(`\`, `\\`, `|`, `\|`)
		extEsc := strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\n", `\n`, "\r", `\r`)
		rec := "CEF:0|" + hdrEsc.Replace(vendor) + "|P|1|2|" + hdrEsc.Replace(name) + "|5|" +
			k1 + "=" + extEsc.Replace(v1) + " " + k2 + "=" + extEsc.Replace(v2)
		e := parsetest.NewEvent(rec)
		if err := p.Parse([]byte(rec), e); err != nil {
			t.Fatalf("Parse(%q): %v", rec, err)
		}
		parsetest.Check(t, e, rec)
		want := map[string]string{"observer.vendor": vendor, "message": name,
			"cef.extensions." + k1: v1, "cef.extensions." + k2: v2}
		for k, v := range want {
			if got := e.GetString(k); got != v {
				t.Fatalf("%s = %q, want %q (record %q)", k, got, v, rec)
			}
		}
	})
}

func key(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsKeyChar(s[i]) {
			return false
		}
	}
	return true
}

// text is a value a round trip can keep: no surrounding spaces (values are
// trimmed), no text that reads as a following " key=", not empty (empty
// values are absent), and only numbers-free text for custom keys that type
// their values.
func text(s string) bool {
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, "\x00") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			j := i + 1
			for j < len(s) && IsKeyChar(s[j]) {
				j++
			}
			if j > i+1 && j < len(s) && s[j] == '=' {
				return false
			}
		}
	}
	if _, ok := severity(s); ok {
		return false
	}
	return !strings.HasPrefix(s, "-") && (s[0] < '0' || s[0] > '9')
}
