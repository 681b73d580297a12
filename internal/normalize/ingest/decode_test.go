package ingest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestDecodeProcessors decodes Akamai-style fields: percent-encoded,
// semicolon-separated base64 items; a '+' of base64 survives urldecode,
// unpadded base64 decodes, and text that is not base64 fails the step
// with the field named.
func TestDecodeProcessors(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - urldecode: {field: rules}
  - split: {field: rules, separator: ';'}
  - base64decode: {field: rules}
  - urldecode: {field: hdr, target_field: vendor.hdr}
  - base64decode: {field: plus}
  - base64decode: {field: bad}
`)
	e := &event.Event{}
	e.Set("rules", event.String("OTUwMDA0%3bOTUwMDA1%3bZGVueQ"))
	e.Set("hdr", event.String("User-Agent%3a%20curl%2f8.0%0d%0a"))
	e.Set("plus", event.String("Pz8+Pw=="))
	e.Set("bad", event.String("not base64!"))
	_, err := p.Run(e)
	if err == nil || !strings.Contains(err.Error(), "base64decode bad") {
		t.Fatalf("bad base64: err %v, want a base64decode failure naming the field", err)
	}
	v, _ := e.Get("rules")
	if l := v.List(); len(l) != 3 || l[0] != "950004" || l[1] != "950005" || l[2] != "deny" {
		t.Errorf("rules = %v", l)
	}
	want(t, e, "vendor.hdr", "User-Agent: curl/8.0\r\n", "plus", "??>?")
	if got := e.GetString("hdr"); got != "User-Agent%3a%20curl%2f8.0%0d%0a" {
		t.Errorf("hdr changed: %q", got)
	}
	if _, err := appendBase64Decoded(nil, "a+b/"); err != nil {
		t.Errorf("a+b/: %v", err)
	}
	if _, err := appendURLDecoded(nil, "%zz"); err == nil {
		t.Error("urldecode %zz: no error")
	}
	// The decoder agrees with net/url, errors included.
	for _, in := range []string{"", "abc", "a%20b+c", "%41%4a%4A%7e", "%", "%4", "%4g", "x%zz", "%e2%82%ac;%2f", "a%2"} {
		got, err := appendURLDecoded([]byte("pre"), in)
		w, werr := url.PathUnescape(in)
		if (err == nil) != (werr == nil) || (err == nil && string(got) != "pre"+w) || (err != nil && err.Error() != werr.Error()) {
			t.Errorf("urldecode %q = %q, %v; net/url %q, %v", in, got, err, w, werr)
		}
	}
}

// TestHexDecode decodes auditd's hex values: a sudo command with a space,
// a proctitle whose arguments NUL bytes separate (a trailing NUL dropped);
// odd or non-hex text fails the step.
func TestHexDecode(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - hexdecode: {field: cmd, target_field: process.command_line}
  - hexdecode: {field: title}
  - hexdecode: {field: bad}
`)
	e := &event.Event{}
	e.Set("cmd", event.String("636174202F6574632F736861646F77"))
	e.Set("title", event.String("2F62696E2F7368002D63006C7300"))
	e.Set("bad", event.String("6C7"))
	_, err := p.Run(e)
	if err == nil || !strings.Contains(err.Error(), "hexdecode bad") {
		t.Fatalf("odd hex: err %v, want a hexdecode failure naming the field", err)
	}
	want(t, e, "process.command_line", "cat /etc/shadow", "title", "/bin/sh -c ls")
	if _, err := appendHexDecoded(nil, "zz"); err == nil {
		t.Error("hexdecode zz: no error")
	}
}

// TestHexDecodeWords decodes an EXECVE record's arguments, quoted or hex
// (auditd quotes a value without spaces, hex-encodes the others), as text
// and as a list.
func TestHexDecodeWords(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - hexdecode: {field: args, target_field: process.command_line, words: true}
  - split: {field: args, separator: ' ', target_field: process.args}
  - hexdecode: {field: process.args, words: true}
`)
	e := &event.Event{}
	e.Set("args", event.String(`"bash" "-c" 6563686F20226120622200 "x"`))
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "process.command_line", `bash -c echo "a b" x`)
	v, _ := e.Get("process.args")
	if l := v.List(); len(l) != 4 || l[2] != `echo "a b"` || l[0] != "bash" {
		t.Errorf("args = %q", l)
	}
	if got, _ := appendHexWords(nil, `notquoted zz "q"`); string(got) != "notquoted zz q" {
		t.Errorf("words = %q", got)
	}
}
