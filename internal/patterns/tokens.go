package patterns

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
	sep, dots := -1, 0
	for k := 0; k < len(tok); k++ {
		switch c := tok[k]; {
		case c >= '0' && c <= '9':
			if sep > 0 {
				return t.keyed(tok[:sep+1])
			}
			return Wildcard
		case c == '.':
			if k > 0 && k+1 < len(tok) && isAlnum(tok[k-1]) && isAlnum(tok[k+1]) {
				dots++
			}
		case (c == '=' || c == ':') && sep < 0:
			sep = k
		}
	}
	// A dotted name (two or more inner dots between letters or digits:
	// host names, FQDNs, bundle and class names) or a quoted word is a
	// value far more often than a keyword.
	if dots >= 2 || quoted(tok) {
		return Wildcard
	}
	return tok
}

// quoted reports a token in quotes, a trailing , ; or . aside.
func quoted(tok string) bool {
	n := len(tok)
	for n > 0 && (tok[n-1] == ',' || tok[n-1] == ';' || tok[n-1] == '.') {
		n--
	}
	return n >= 2 && (tok[0] == '"' && tok[n-1] == '"' || tok[0] == '\'' && tok[n-1] == '\'')
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
