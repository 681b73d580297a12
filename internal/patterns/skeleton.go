package patterns

import (
	"fmt"
	"strconv"
	"strings"
)

// Skeleton returns the pipeline skeleton a pattern is promoted to: a YAML
// file (format in docs/patterns.md, version 1) that selects the records of
// the pattern and splits the message with a dissect pattern, a field per
// wildcard, with the pattern's example as its first test. The pipeline
// language (DESIGN.md 8b) will read it; an analyst renames the fields.
func Skeleton(in Info) []byte {
	name := in.Name
	if name == "" {
		name = in.ID
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Vigil pipeline skeleton, version 1 (docs/patterns.md).\n")
	fmt.Fprintf(&b, "# Promoted from pattern %s of tenant %s, source %s (%d events, %s to %s).\n",
		in.ID, in.Tenant, in.Source, in.Count, in.FirstSeen.Format("2006-01-02T15:04:05Z"), in.LastSeen.Format("2006-01-02T15:04:05Z"))
	b.WriteString("skeleton: 1\n")
	fmt.Fprintf(&b, "name: %s\n", strconv.Quote(name))
	b.WriteString("match:\n")
	fmt.Fprintf(&b, "  source: %s\n", strconv.Quote(in.Source))
	fmt.Fprintf(&b, "  pattern_id: %s\n", strconv.Quote(in.ID))
	fmt.Fprintf(&b, "  template: %s\n", strconv.Quote(in.Template))
	b.WriteString("processors:\n")
	b.WriteString("  - dissect:\n")
	b.WriteString("      field: message\n")
	fmt.Fprintf(&b, "      pattern: %s\n", strconv.Quote(dissectOf(in.Template)))
	b.WriteString("tests:\n")
	fmt.Fprintf(&b, "  - input: %s\n", strconv.Quote(in.Example))
	b.WriteString("    expect: {}\n")
	return []byte(b.String())
}

// dissectOf turns a template into a dissect pattern: each wildcard becomes
// %{fieldN}, a "key=<*>" token %{key}; a literal % is doubled.
func dissectOf(template string) string {
	toks := strings.Split(template, " ")
	n := 0
	for i, t := range toks {
		t = strings.ReplaceAll(t, "%", "%%")
		if strings.HasSuffix(t, Wildcard) {
			key := strings.TrimSuffix(t, Wildcard)
			field := ""
			if k := strings.TrimRight(key, "=:"); k != key && isName(k) {
				field = k
			} else {
				n++
				field = "field" + strconv.Itoa(n)
			}
			t = key + "%{" + field + "}"
		}
		toks[i] = t
	}
	return strings.Join(toks, " ")
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
