package intel

import (
	"errors"
	"reflect"
	"testing"
)

func TestParsePattern(t *testing.T) {
	f := func(pattern string, want ...Atom) {
		t.Helper()
		got, err := ParsePattern(pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", pattern, err)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParsePattern(%q) = %v, want %v", pattern, got, want)
		}
	}
	ip := func(v string) Atom { return Atom{TypeIP, v} }
	f("[ipv4-addr:value = '198.51.100.7']", ip("198.51.100.7"))
	f("[ipv4-addr:value = '198.51.100.0/24']", ip("198.51.100.0/24"))
	f("[ipv4-addr:value ISSUBSET '198.51.100.9/24']", ip("198.51.100.0/24"))
	f("[ipv6-addr:value = '2001:DB8::1']", ip("2001:db8::1"))
	f("[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.8']", ip("1.2.3.4"), ip("5.6.7.8"))
	f("[ipv4-addr:value IN ('1.2.3.4', '5.6.7.8')]", ip("1.2.3.4"), ip("5.6.7.8"))
	f("[domain-name:value = 'Evil.Example.']", Atom{TypeDomain, "evil.example"})
	f("[url:value = 'http://evil.example/a?b=\\'c\\'']", Atom{TypeURL, "http://evil.example/a?b='c'"})
	f("[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']",
		Atom{TypeSHA256, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"})
	f("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] OR [file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
		Atom{TypeMD5, "d41d8cd98f00b204e9800998ecf8427e"}, Atom{TypeSHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"})
	f("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.5']", ip("203.0.113.5"))
	f("[network-traffic:src_ref.value = 'c2.example']", Atom{TypeDomain, "c2.example"})
	f("([ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'a.example']) WITHIN 300 SECONDS", ip("1.2.3.4"), Atom{TypeDomain, "a.example"})
	f("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'", ip("1.2.3.4"))
	f("[(ipv4-addr:value = '1.2.3.4')]", ip("1.2.3.4"))
}

func TestParsePatternErrors(t *testing.T) {
	f := func(pattern string, want error) {
		t.Helper()
		_, err := ParsePattern(pattern)
		if !errors.Is(err, want) {
			t.Errorf("ParsePattern(%q) = %v, want %v", pattern, err, want)
		}
	}
	f("[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'a.example']", ErrUnsupported)
	f("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.example']", ErrUnsupported)
	f("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' AND file:name = 'x.exe']", ErrUnsupported)
	f("[NOT ipv4-addr:value = '1.2.3.4']", ErrUnsupported)
	f("[ipv4-addr:value != '1.2.3.4']", ErrUnsupported)
	f("[email-addr:value = 'a@b.example']", ErrUnsupported)
	f("[process:name = 'evil.exe']", ErrUnsupported)
	f("[domain-name:value LIKE '%.example']", ErrUnsupported)
	f("[windows-registry-key:values[*].data = 'x']", ErrUnsupported)
	f("[file:hashes.'SSDEEP' = 'x']", ErrUnsupported)
	f("[ipv4-addr:value = 'not an ip']", ErrBadIndicator)
	f("[ipv4-addr:value = '1.2.3.4'", ErrPattern)
	f("ipv4-addr:value = '1.2.3.4'", ErrPattern)
	f("[ipv4-addr:value = '1.2.3.4]", ErrPattern)
	f("[ipv4-addr:value = '1.2.3.4'] garbage", ErrPattern)
	f("[ipv4-addr:value = '1\\x']", ErrPattern)
	f("", ErrPattern)
	f("[]", ErrPattern)
	deep := ""
	for i := 0; i < 100; i++ {
		deep += "("
	}
	f(deep+"[ipv4-addr:value = '1.2.3.4']", ErrPattern)
}

func TestFormatPatternRoundTrip(t *testing.T) {
	atoms := []Atom{{TypeIP, "198.51.100.0/24"}, {TypeIP, "2001:db8::1"}, {TypeDomain, "a.example"},
		{TypeURL, `http://x.example/it's\here`}, {TypeMD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{TypeSHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{TypeSHA256, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"}}
	got, err := ParsePattern(FormatPattern(atoms))
	if err != nil || !reflect.DeepEqual(got, atoms) {
		t.Fatalf("round trip = %v, %v", got, err)
	}
}

// FuzzParsePattern checks that the parser never panics, and that what it
// accepts formats to a pattern that parses to the same atoms.
func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		"[ipv4-addr:value = '198.51.100.7']",
		"[ipv4-addr:value IN ('1.2.3.4', '5.6.7.8')]",
		"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
		"([ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'a.example']) WITHIN 300 SECONDS",
		"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.5']",
		"[url:value = 'http://evil.example/a?b=\\'c\\'']",
		"[a:b[*].c = 'x'] AND [d:e = 1]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		atoms, err := ParsePattern(s)
		if err != nil {
			return
		}
		again, err := ParsePattern(FormatPattern(atoms))
		if err != nil || !reflect.DeepEqual(again, atoms) {
			t.Fatalf("%q: atoms %v reformat to %q: %v, %v", s, atoms, FormatPattern(atoms), again, err)
		}
	})
}
