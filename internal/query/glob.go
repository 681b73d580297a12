package query

// A Segment is one piece of a wildcard pattern: literal text, or a wildcard.
type Segment struct {
	// Text is the literal text of a literal segment ("" for a wildcard).
	Text string
	// Wild is '*' (any run of characters, possibly none), '?' (exactly one
	// character) or 0 for literal text.
	Wild byte
}

// Segments splits a pattern (Match.Value when Match.Wild) into literal runs
// and wildcards: every * and ? in it is a wildcard. Runs of * collapse into
// one; literal runs are never empty and never adjacent.
func Segments(pattern string) []Segment {
	var segs []Segment
	start := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '*' && c != '?' {
			continue
		}
		if i > start {
			segs = append(segs, Segment{Text: pattern[start:i]})
		}
		start = i + 1
		if n := len(segs); c == '?' || n == 0 || segs[n-1].Wild != '*' {
			segs = append(segs, Segment{Wild: c})
		}
	}
	if start < len(pattern) {
		segs = append(segs, Segment{Text: pattern[start:]})
	}
	return segs
}
