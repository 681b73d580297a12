package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesCheckProducts: `vigil rules check` counts compiled and mapped
// rules per product, naming the fields that keep a rule unmapped.
func TestRulesCheckProducts(t *testing.T) {
	dir := t.TempDir()
	rules := map[string]string{
		"zeek.yml":  "title: Z\nlogsource: {product: zeek, service: dns}\ndetection:\n  sel: {query|endswith: .onion}\n  condition: sel\n",
		"aws.yml":   "title: A\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: StopLogging, eventSource: cloudtrail.amazonaws.com}\n  condition: sel\n",
		"fw.yml":    "title: F\nlogsource: {category: firewall}\ndetection:\n  sel: {dst_port: 23, blocked: 'false'}\n  condition: sel\n",
		"fw2.yml":   "title: F2\nlogsource: {category: firewall}\ndetection:\n  sel: {dst_port: 23, action: accept}\n  condition: sel\n",
		"other.yml": "title: O\nlogsource: {product: acme}\ndetection:\n  sel: {Widget: x}\n  kw: [evil]\n  condition: sel or kw\n",
	}
	for name, body := range rules {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := runRulesCheck(commands["rules"], []string{dir, "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	got := map[string]productCount{}
	for _, p := range rep.Products {
		got[p.Product] = p
	}
	want := map[string][2]int{"zeek": {1, 1}, "aws": {1, 1}, "firewall": {2, 1}, "acme": {1, 0}}
	for p, w := range want {
		if g := got[p]; g.Compiled != w[0] || g.Mapped != w[1] {
			t.Errorf("%s: compiled %d mapped %d, want %d and %d", p, g.Compiled, g.Mapped, w[0], w[1])
		}
	}
	if got["firewall"].Unmapped["blocked"] != 1 || got["acme"].Unmapped["Widget"] != 1 {
		t.Errorf("unmapped fields: firewall %v, acme %v", got["firewall"].Unmapped, got["acme"].Unmapped)
	}
	out.Reset()
	if err := runRulesCheck(commands["rules"], []string{dir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Rules by product") || !strings.Contains(out.String(), "blocked (1)") {
		t.Errorf("text report:\n%s", out.String())
	}
}
