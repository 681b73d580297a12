package patterns

import "strings"

// Wildcard stands for a variable token in a template.
const Wildcard = "<*>"

// tokenizer splits a message into the tokens the miner compares and masks
// the ones that are values whatever the format: a token with a digit in it
// (numbers, IP addresses, ports, hex ids, timestamps, versioned names), a
// dotted name (two or more inner dots: host names, class and bundle
// names), a quoted token and an overlong token become Wildcard, except that a "key=value" or
// "key:value" token whose key has no digit keeps its key ("uid=<*>"), so
// different keys stay different words. No format-specific rules: the miner
// must work on logs nobody described.
type tokenizer struct {
	toks []string
	// interned holds the "key=<*>" tokens, so masking allocates only the
	// first time a key is seen; bounded by maxInterned.
	interned map[string]string
}

func newTokenizer() *tokenizer {
	return &tokenizer{interned: map[string]string{}}
}

// split returns the masked tokens of msg, valid until the next call.
func (t *tokenizer) split(msg string) []string {
	toks := t.toks[:0]
	i := 0
	for i < len(msg) {
		for i < len(msg) && isSpace(msg[i]) {
			i++
		}
		if i == len(msg) {
			break
		}
		j := i
		for j < len(msg) && !isSpace(msg[j]) {
			j++
		}
		if len(toks) == maxTokens-1 {
			// The rest of an overlong message is one variable tail.
			toks = append(toks, Wildcard)
			break
		}
		toks = append(toks, t.mask(msg[i:j]))
		i = j
	}
	t.toks = toks
	return toks
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (t *tokenizer) mask(tok string) string {
	if len(tok) > maxTokenBytes {
		return Wildcard
	}
	sep := -1
	for k := 0; k < len(tok); k++ {
		c := tok[k]
		if c >= '0' && c <= '9' {
			if sep > 0 {
				return t.keyed(tok[:sep+1])
			}
			return Wildcard
		}
		if (c == '=' || c == ':') && sep < 0 {
			sep = k
		}
	}
	if dotted(tok) || quoted(tok) {
		return Wildcard
	}
	return tok
}

// dotted reports a name with two or more inner dots between letters or
// digits: host names, FQDNs, bundle and class names, file names — values
// far more often than keywords.
func dotted(tok string) bool {
	dots := 0
	for k := 1; k < len(tok)-1; k++ {
		if tok[k] == '.' && isAlnum(tok[k-1]) && isAlnum(tok[k+1]) {
			dots++
		}
	}
	return dots >= 2
}

// quoted reports a token in quotes (a trailing , ; or . aside): a quoted
// word is a value.
func quoted(tok string) bool {
	t := strings.TrimRight(tok, ",;.")
	return len(t) >= 2 && (t[0] == '"' && t[len(t)-1] == '"' || t[0] == '\'' && t[len(t)-1] == '\'')
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// keyed returns key followed by Wildcard, interned.
func (t *tokenizer) keyed(key string) string {
	if s, ok := t.interned[key]; ok {
		return s
	}
	if len(t.interned) >= maxInterned {
		return Wildcard
	}
	s := key + Wildcard
	t.interned[key] = s
	return s
}
