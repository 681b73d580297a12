package patterns

// Limits of the miner, in one place with the reason for each.
const (
	// DefaultMaxPatterns bounds the patterns of one tenant and source:
	// memory stays bounded however varied a source is. Beyond it the
	// pattern seen least recently is forgotten (its id comes back
	// unchanged if its template returns, since ids derive from the text).
	DefaultMaxPatterns = 5000
	// DefaultMaxTables bounds the tenant and source pairs mined; events of
	// further pairs pass without pattern fields (counted as skipped).
	DefaultMaxTables = 1024
	// maxTokens bounds the tokens of one message that the miner compares;
	// the rest of a longer message becomes one final wildcard. It bounds
	// a template's size and the cost of one comparison.
	maxTokens = 80
	// maxTokenBytes: a longer token is a value (a blob, a base64 string),
	// never a keyword; it becomes a wildcard.
	maxTokenBytes = 128
	// maxChildren bounds the fan-out of a node of the prefix tree (Drain's
	// maxChild); further distinct words share the wildcard child.
	maxChildren = 100
	// maxLeafPatterns bounds the patterns of one leaf of the tree, which a
	// message is compared with one by one: a source whose messages share
	// their length and first words (a date and a time) but not their
	// templates would otherwise make every message cost thousands of
	// comparisons. The leaf's least recently seen pattern makes room.
	maxLeafPatterns = 64
	// maxInterned bounds the "key=<*>" tokens a miner keeps.
	maxInterned = 4096
	// maxSamples is how many recent event ids a pattern keeps.
	maxSamples = 5
	// maxFormer is how many former ids a pattern remembers.
	maxFormer = 8
	// maxHours is how many hourly counts a pattern keeps (two days).
	maxHours = 48
	// DefaultSimilarity is Drain's similarity threshold: the share of a
	// message's words a template must have in the same places (its
	// wildcards count as matching). Drain's paper uses 0.4–0.7 on raw
	// words; with values masked first (tokens.go) most words left are
	// keywords, and 0.8 measured best on loghub (docs/patterns.md).
	DefaultSimilarity = 0.8
	// minLiteralShare is the share of a template's own words (not
	// wildcards) a message must have in the same places to join it; 0.7
	// measured best on loghub, and any value from 0.5 to 0.75 keeps the
	// average within 0.01 (docs/patterns.md).
	minLiteralShare = 0.7
	// maxExampleBytes bounds the example message a pattern keeps.
	maxExampleBytes = 512
	// DefaultDepth is Drain's tree depth: the length layer, then
	// DefaultDepth-2 layers of leading words.
	DefaultDepth = 4
)
