package patterns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// fileVersion is the version of the pattern file (docs/format/patterns.md).
const fileVersion = 1

// maxFileBytes bounds the file read at start: DefaultMaxTables tables of
// DefaultMaxPatterns patterns of a few hundred bytes would be far less in
// any real deployment; a bigger file is refused, not read into memory.
const maxFileBytes = 1 << 30

type fileRoot struct {
	Version int         `json:"version"`
	Saved   time.Time   `json:"saved"`
	Tables  []fileTable `json:"tables"`
}

type fileTable struct {
	Tenant     string        `json:"tenant"`
	Source     string        `json:"source"`
	Events     int64         `json:"events"`
	FirstEvent time.Time     `json:"first_event"`
	LastEvent  time.Time     `json:"last_event"`
	Learned    bool          `json:"learned"`
	Evicted    int64         `json:"evicted"`
	Patterns   []filePattern `json:"patterns"`
}

type filePattern struct {
	ID        string      `json:"id"`
	Template  string      `json:"template"`
	Name      string      `json:"name,omitempty"`
	Count     int64       `json:"count"`
	FirstSeen time.Time   `json:"first_seen"`
	LastSeen  time.Time   `json:"last_seen"`
	Example   string      `json:"example,omitempty"`
	Samples   []string    `json:"samples,omitempty"`
	Hours     []HourCount `json:"hours,omitempty"`
	Former    []string    `json:"former_ids,omitempty"`
	// Path is the pattern's place in the prefix tree; Rank its place in
	// the recently-seen order (0 = most recent). Both make a restarted
	// miner decide exactly as the one that saved.
	Path []string `json:"path"`
	Rank int      `json:"rank"`
}

func (s *Set) save(path string) error {
	root := fileRoot{Version: fileVersion, Saved: time.Now().UTC()}
	for _, t := range s.Tables("") {
		root.Tables = append(root.Tables, t.snapshot())
	}
	b, err := json.Marshal(root)
	if err != nil {
		return fmt.Errorf("encode pattern tables: %w", err)
	}
	if err := fsutil.WriteFileAtomic(path, b, 0o600); err != nil {
		return fmt.Errorf("write pattern tables: %w", err)
	}
	return nil
}

func (t *Table) snapshot() fileTable {
	t.mu.Lock()
	defer t.mu.Unlock()
	ft := fileTable{Tenant: t.Tenant, Source: t.Source, Events: t.events, FirstEvent: t.first, LastEvent: t.last,
		Learned: t.learned, Evicted: t.miner.evicted}
	rank := map[*Pattern]int{}
	i := 0
	t.miner.Patterns(func(p *Pattern) bool { rank[p] = i; i++; return true })
	var walk func(n *node, path []string)
	walk = func(n *node, path []string) {
		for _, p := range n.leaf {
			ft.Patterns = append(ft.Patterns, filePattern{ID: p.ID, Template: p.Template, Name: p.Name, Count: p.Count,
				FirstSeen: p.FirstSeen, LastSeen: p.LastSeen, Example: p.Example,
				Samples: append([]string(nil), p.Samples...), Hours: append([]HourCount(nil), p.Hours...),
				Former: append([]string(nil), p.Former...),
				Path:   append([]string(nil), path...), Rank: rank[p]})
		}
		keys := make([]string, 0, len(n.children))
		for k := range n.children {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walk(n.children[k], append(path, k))
		}
	}
	walk(t.miner.root, nil)
	return ft
}

func (s *Set) load(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read pattern tables: %w", err)
	}
	if st.Size() > maxFileBytes {
		return fmt.Errorf("read pattern tables: %s is %d bytes, more than %d", path, st.Size(), maxFileBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read pattern tables: %w", err)
	}
	var root fileRoot
	if err := json.Unmarshal(b, &root); err != nil {
		return fmt.Errorf("read pattern tables %s: %w", path, err)
	}
	if root.Version != fileVersion {
		return fmt.Errorf("read pattern tables %s: version %d, want %d", path, root.Version, fileVersion)
	}
	for _, ft := range root.Tables {
		t := s.Table(ft.Tenant, ft.Source, true)
		if t == nil {
			break
		}
		if err := t.restore(ft); err != nil {
			return fmt.Errorf("read pattern tables %s: tenant %s source %s: %w", path, ft.Tenant, ft.Source, err)
		}
	}
	return nil
}

// restore fills an empty table from its saved form.
func (t *Table) restore(ft fileTable) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.miner
	t.events, t.first, t.last, t.learned, m.evicted = ft.Events, ft.FirstEvent, ft.LastEvent, ft.Learned, ft.Evicted
	pats := ft.Patterns
	// Keep the most recent MaxPatterns when the limit was lowered.
	if len(pats) > m.max {
		sort.SliceStable(pats, func(i, j int) bool { return pats[i].Rank < pats[j].Rank })
		pats = pats[:m.max]
	}
	byRank := make([]*Pattern, 0, len(pats))
	ranks := map[*Pattern]int{}
	for _, fp := range pats {
		toks := strings.Split(fp.Template, " ")
		if fp.Template == "" || len(toks) > maxTokens || len(fp.Path) != min(m.depth-1, len(toks)+1) || fp.Path[0] != lengthKey(len(toks)) {
			return fmt.Errorf("pattern %q: template and path do not fit", fp.ID)
		}
		if _, dup := m.templates[fp.Template]; dup {
			return fmt.Errorf("pattern %q: template twice", fp.ID)
		}
		n := m.root
		for _, k := range fp.Path {
			c := n.children[k]
			if c == nil {
				if n.children == nil {
					n.children = map[string]*node{}
				}
				c = &node{parent: n, key: k}
				n.children[k] = c
			}
			n = c
		}
		p := &Pattern{ID: IDOf(fp.Template), Template: fp.Template, Name: fp.Name, Count: fp.Count, FirstSeen: fp.FirstSeen,
			LastSeen: fp.LastSeen, Example: truncate(fp.Example, maxExampleBytes), tokens: toks, leaf: n}
		if len(fp.Samples) > maxSamples {
			fp.Samples = fp.Samples[len(fp.Samples)-maxSamples:]
		}
		p.Samples = fp.Samples
		if len(fp.Hours) > maxHours {
			fp.Hours = fp.Hours[len(fp.Hours)-maxHours:]
		}
		p.Hours = fp.Hours
		if len(fp.Former) > maxFormer {
			fp.Former = fp.Former[len(fp.Former)-maxFormer:]
		}
		p.Former = fp.Former
		n.leaf = append(n.leaf, p)
		m.templates[p.Template] = p
		m.n++
		byRank = append(byRank, p)
		ranks[p] = fp.Rank
	}
	sort.SliceStable(byRank, func(i, j int) bool { return ranks[byRank[i]] > ranks[byRank[j]] })
	for _, p := range byRank {
		m.lru.pushFront(p)
		m.clock++
		p.tick = m.clock
	}
	return nil
}
