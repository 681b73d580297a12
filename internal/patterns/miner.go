package patterns

import (
	"strings"
)

// Miner groups messages into patterns with Drain's fixed-depth prefix
// tree: messages are routed by their token count and their first words to
// a leaf holding a few templates, and join the most similar one if enough
// of their words match; the template then turns the words that differ
// into wildcards. A Miner is not safe for concurrent use: Table guards it.
type Miner struct {
	sim       float64
	depth     int
	max       int
	tok       *tokenizer
	root      *node
	n         int
	lru       lruList
	clock     uint64 // ticks of touch, for the recency within a leaf
	evicted   int64
	templates map[string]*Pattern // by template text
}

// node is a node of the prefix tree. Inner nodes have children, keyed by a
// word or Wildcard; leaves hold patterns.
type node struct {
	parent   *node
	key      string
	children map[string]*node
	leaf     []*Pattern
}

// MinerOptions tune a Miner; zero values take the defaults.
type MinerOptions struct {
	// Similarity is Drain's threshold st, 0 < st ≤ 1. Default
	// DefaultSimilarity.
	Similarity float64
	// Depth is Drain's tree depth, at least 3. Default 4.
	Depth int
	// MaxPatterns bounds the patterns kept. Default DefaultMaxPatterns.
	MaxPatterns int
}

// NewMiner returns an empty miner.
func NewMiner(o MinerOptions) *Miner {
	if o.Similarity <= 0 || o.Similarity > 1 {
		o.Similarity = DefaultSimilarity
	}
	if o.Depth < 3 {
		o.Depth = DefaultDepth
	}
	if o.MaxPatterns <= 0 {
		o.MaxPatterns = DefaultMaxPatterns
	}
	m := &Miner{sim: o.Similarity, depth: o.Depth, max: o.MaxPatterns, tok: newTokenizer(), root: &node{}, templates: map[string]*Pattern{}}
	m.lru.init()
	return m
}

// Len is the number of patterns the miner holds.
func (m *Miner) Len() int { return m.n }

// Evicted is how many patterns were forgotten to stay within MaxPatterns.
func (m *Miner) Evicted() int64 { return m.evicted }

// Add mines msg: it returns the pattern msg now belongs to and whether the
// pattern was created by this message. The pattern's template may have
// become more general (and its id changed) by taking msg in.
func (m *Miner) Add(msg string) (p *Pattern, created bool) {
	toks := m.tok.split(msg)
	if p = m.find(toks); p != nil {
		if p.generalise(toks) {
			p = m.retemplate(p)
		}
		m.touch(p)
		return p, false
	}
	if q, ok := m.templates[joinLookup(toks)]; ok {
		// The same template lives under another branch of the tree (a
		// pattern there generalised its leading words).
		m.touch(q)
		return q, false
	}
	// Make room before routing: evicting may prune the nodes the new
	// pattern would go to.
	if m.n >= m.max {
		m.evict(m.lru.oldest())
	}
	leaf := m.route(toks, true)
	if len(leaf.leaf) >= maxLeafPatterns {
		m.evict(leastRecent(leaf.leaf))
	}
	p = m.insert(leaf, toks)
	p.Example = strings.Clone(truncate(msg, maxExampleBytes))
	return p, true
}

// touch marks p as just seen.
func (m *Miner) touch(p *Pattern) {
	m.clock++
	p.tick = m.clock
	m.lru.touch(p)
}

// leastRecent returns the pattern of ps seen least recently.
func leastRecent(ps []*Pattern) *Pattern {
	var old *Pattern
	for _, p := range ps {
		if old == nil || p.tick < old.tick {
			old = p
		}
	}
	return old
}

// truncate cuts s to at most n bytes, at a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Match returns the pattern msg belongs to without learning from it, or
// nil.
func (m *Miner) Match(msg string) *Pattern { return m.find(m.tok.split(msg)) }

// find returns the pattern of the leaf toks lead to that is most similar
// to them, if similar enough.
func (m *Miner) find(toks []string) *Pattern {
	leaf := m.route(toks, false)
	if leaf == nil {
		return nil
	}
	return m.best(leaf, toks)
}

// route walks the tree to the leaf of toks, creating nodes when create.
func (m *Miner) route(toks []string, create bool) *node {
	n := m.child(m.root, lengthKey(len(toks)), create)
	for d := 0; n != nil && d < m.depth-2 && d < len(toks); d++ {
		n = m.child(n, toks[d], create)
	}
	return n
}

// child finds or makes n's child for key; a node that is full sends new
// words to its wildcard child.
func (m *Miner) child(n *node, key string, create bool) *node {
	if c, ok := n.children[key]; ok {
		return c
	}
	if c, ok := n.children[Wildcard]; ok && (key == Wildcard || len(n.children) >= maxChildren || !create) {
		return c
	}
	if !create {
		return nil
	}
	if n.children == nil {
		n.children = map[string]*node{}
	}
	if len(n.children) >= maxChildren {
		key = Wildcard
	}
	c := &node{parent: n, key: strings.Clone(key)}
	n.children[c.key] = c
	return c
}

// best returns the leaf's pattern most similar to toks, if similar enough.
func (m *Miner) best(leaf *node, toks []string) *Pattern {
	var best *Pattern
	bestSim, bestPar := -1.0, -1
	maxMiss := int(float64(len(toks))*(1-m.sim) + 1e-9)
	for _, p := range leaf.leaf {
		sim, par := similarity(p.tokens, toks, maxMiss)
		if sim < 0 {
			continue
		}
		if sim > bestSim || (sim == bestSim && par > bestPar) {
			best, bestSim, bestPar = p, sim, par
		}
	}
	if best == nil || bestSim < m.sim {
		return nil
	}
	return best
}

// similarity is Drain's seqDist: the share of positions where template
// and message have the same word, wildcards in the template counting as
// matches, and the number of wildcards (a tie-breaker). A template must
// also keep minLiteralShare of its own words in the message (else the
// similarity is -1): without that, a template that has become mostly
// wildcards matches any message of its length and swallows a leaf.
//
// maxMiss is how many positions may differ for the similarity to reach the
// threshold: the comparison stops (-1) at the first one more, which keeps
// the cost of a crowded leaf down.
func similarity(tmpl, toks []string, maxMiss int) (float64, int) {
	if len(tmpl) == 0 {
		return 1, 0
	}
	same, par, miss := 0, 0, 0
	for i, t := range tmpl {
		if t == Wildcard {
			par++
			continue
		}
		if t == toks[i] {
			same++
		} else if miss++; miss > maxMiss {
			return -1, par
		}
	}
	if lit := len(tmpl) - par; lit > 0 && float64(same) < minLiteralShare*float64(lit) {
		return -1, par
	}
	return float64(same+par) / float64(len(tmpl)), par
}

func (m *Miner) insert(leaf *node, toks []string) *Pattern {
	p := &Pattern{tokens: make([]string, len(toks)), leaf: leaf}
	for i, t := range toks {
		if t == Wildcard {
			p.tokens[i] = Wildcard
		} else {
			p.tokens[i] = strings.Clone(t)
		}
	}
	leaf.leaf = append(leaf.leaf, p)
	m.lru.pushFront(p)
	m.clock++
	p.tick = m.clock
	m.n++
	m.retemplate(p)
	return p
}

// retemplate recomputes p's template text and id after its tokens changed.
// Two patterns that come to share a template are one pattern: the later
// one's counts fold into the first, which retemplate returns.
func (m *Miner) retemplate(p *Pattern) *Pattern {
	if p.Template != "" && m.templates[p.Template] == p {
		delete(m.templates, p.Template)
	}
	if p.ID != "" {
		p.addFormer(p.ID)
	}
	p.Template = strings.Join(p.tokens, " ")
	p.ID = IDOf(p.Template)
	if q, ok := m.templates[p.Template]; ok && q != p {
		q.absorb(p)
		m.remove(p)
		p.into = q
		return q
	}
	m.templates[p.Template] = p
	return p
}

// evict forgets p to make room.
func (m *Miner) evict(p *Pattern) {
	if p == nil {
		return
	}
	m.evicted++
	if m.templates[p.Template] == p {
		delete(m.templates, p.Template)
	}
	m.remove(p)
}

// remove takes p out of its leaf, the LRU list, and prunes empty nodes.
func (m *Miner) remove(p *Pattern) {
	leaf := p.leaf
	for i, q := range leaf.leaf {
		if q == p {
			leaf.leaf = append(leaf.leaf[:i], leaf.leaf[i+1:]...)
			break
		}
	}
	m.lru.unlink(p)
	m.n--
	for n := leaf; n != m.root && len(n.leaf) == 0 && len(n.children) == 0; n = n.parent {
		delete(n.parent.children, n.key)
	}
}

// Patterns calls fn for every pattern, most recently seen first.
func (m *Miner) Patterns(fn func(*Pattern) bool) {
	for p := m.lru.head.next; p != &m.lru.head; p = p.next {
		if !fn(p) {
			return
		}
	}
}

// lengthKey names the length layer of the tree.
func lengthKey(n int) string {
	if n < len(lengthKeys) {
		return lengthKeys[n]
	}
	return "#many"
}

var lengthKeys = func() []string {
	k := make([]string, maxTokens+1)
	for i := range k {
		k[i] = "#" + itoa(i)
	}
	return k
}()

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
