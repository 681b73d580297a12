package patterns

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

func mkEvent(msg string, at time.Time, i int) *event.Event {
	e := &event.Event{Tenant: "t", Source: "s", Timestamp: at, ID: fmt.Sprintf("id%d", i)}
	e.Set("message", event.String(msg))
	return e
}

func ids(s *Set, lines []string, base time.Time, from int) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		e := mkEvent(l, base.Add(time.Duration(from+i)*time.Second), from+i)
		s.Annotate(e)
		out[i] = e.GetString(FieldID)
	}
	return out
}

// TestIDsStableAcrossRestartAndNodes: node A mines the first half of a
// loghub sample, saves, restarts from its file and mines the second half;
// node B mines all of it without a restart. Both give every line the same
// pattern id, and every id is the hash of its template.
func TestIDsStableAcrossRestartAndNodes(t *testing.T) {
	for _, sys := range []string{"Linux", "OpenSSH", "Mac"} {
		lines := readLoghub(t, sys).content
		half := len(lines) / 2
		base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		file := filepath.Join(t.TempDir(), "patterns.json")
		a, err := New(Options{File: file})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(a, lines[:half], base, 0)
		if err := a.Save(); err != nil {
			t.Fatal(err)
		}
		a2, err := New(Options{File: file})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(a2, lines[half:], base, half)...)
		b, _ := New(Options{})
		want := ids(b, lines, base, 0)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s line %d %q: id %s after a restart, %s on a node without one", sys, i+1, lines[i], got[i], want[i])
			}
		}
		ta, tb := a2.Table("t", "s", false).List(""), b.Table("t", "s", false).List("")
		if len(ta) != len(tb) {
			t.Fatalf("%s: %d patterns after a restart, %d without", sys, len(ta), len(tb))
		}
		for i := range ta {
			if ta[i].ID != tb[i].ID || ta[i].Count != tb[i].Count || ta[i].ID != IDOf(ta[i].Template) {
				t.Fatalf("%s: pattern %d differs: %+v vs %+v", sys, i, ta[i], tb[i])
			}
		}
	}
}

// TestMemoryBounded feeds a source whose every line is a new template:
// the table keeps MaxPatterns patterns, its tree shrinks with them, and
// the interned keys stay bounded.
func TestMemoryBounded(t *testing.T) {
	const max = 200
	s, _ := New(Options{Miner: MinerOptions{MaxPatterns: max}})
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 3+rng.IntN(8))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 50000; i++ {
		n := 1 + rng.IntN(30)
		w := make([]string, n)
		for j := range w {
			w[j] = word()
		}
		w[rng.IntN(n)] = word() + "=" + fmt.Sprint(i) // a new key each line
		s.Annotate(mkEvent(strings.Join(w, " "), base, i))
	}
	tab := s.Table("t", "s", false)
	m := tab.miner
	if m.Len() > max || m.lruLen() != m.Len() || len(m.templates) != m.Len() {
		t.Fatalf("patterns %d, lru %d, templates %d; limit %d", m.Len(), m.lruLen(), len(m.templates), max)
	}
	if m.Evicted() == 0 {
		t.Fatal("nothing evicted")
	}
	nodes, leaves := m.countNodes()
	// Each pattern needs at most depth-1 nodes of its own.
	if nodes > max*(m.depth-1)+1 || leaves > max {
		t.Fatalf("%d nodes, %d non-empty leaves for %d patterns", nodes, leaves, m.Len())
	}
	if l := m.largestLeaf(); l > maxLeafPatterns {
		t.Fatalf("a leaf holds %d patterns", l)
	}
	if len(m.tok.interned) > maxInterned {
		t.Fatalf("%d interned keys", len(m.tok.interned))
	}
	for _, p := range tab.List("") {
		if len(p.Samples) > maxSamples || len(p.Hours) > maxHours || len(p.Example) > maxExampleBytes {
			t.Fatalf("pattern over its bounds: %+v", p)
		}
	}
}

func (m *Miner) lruLen() int {
	n := 0
	m.Patterns(func(*Pattern) bool { n++; return true })
	return n
}

func (m *Miner) countNodes() (nodes, leaves int) {
	var walk func(n *node)
	walk = func(n *node) {
		nodes++
		if len(n.leaf) > 0 {
			leaves++
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(m.root)
	return
}

// TestNewPatternAfterLearning: a never-seen template is signalled only
// once the table has learned (events and event time), and only on its
// first line.
func TestNewPatternAfterLearning(t *testing.T) {
	s, _ := New(Options{Learning: Learning{Events: 4, Period: time.Hour}})
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	feed := func(msg string, at time.Duration) *event.Event {
		e := mkEvent(msg, base.Add(at), int(at))
		s.Annotate(e)
		return e
	}
	for i, l := range []string{"login of user alice from 10.0.0.1", "disk sda1 is 91% full", "login of user bob from 10.0.0.2", "backup started"} {
		if e := feed(l, time.Duration(i)*time.Minute); e.Has(FieldNew) {
			t.Fatalf("new pattern during learning: %s", e.AppendJSON(nil))
		}
	}
	// Four events, but only 3 minutes of event time: still learning.
	if e := feed("service cron restarted", 4*time.Minute); e.Has(FieldNew) {
		t.Fatal("new pattern before the learning period of event time ended")
	}
	feed("backup started", 2*time.Hour) // ends learning
	e := feed("kernel panic not syncing attempted to kill init", 2*time.Hour+time.Second)
	if v, _ := e.Get(FieldNew); !v.Bool() {
		t.Fatalf("first line of a new template not signalled: %s", e.AppendJSON(nil))
	}
	if c, _ := e.Get(FieldCount); c.Int() != 1 {
		t.Fatalf("count %v", c)
	}
	if e := feed("kernel panic not syncing attempted to kill init", 2*time.Hour+2*time.Second); e.Has(FieldNew) {
		t.Fatal("second line of the template signalled as new")
	}
	if e := feed("login of user carol from 10.0.0.3", 3*time.Hour); e.Has(FieldNew) {
		t.Fatal("a known template signalled as new")
	}
}

func TestNotMinedWhenNormalised(t *testing.T) {
	s, _ := New(Options{})
	e := mkEvent("Failed password for root from 10.0.0.1 port 22 ssh2", time.Now(), 1)
	e.Set("event.kind", event.String("event"))
	s.Annotate(e)
	if e.Has(FieldID) {
		t.Fatal("a normalised event was mined")
	}
	e = &event.Event{Tenant: "t", Source: "s"}
	s.Annotate(e)
	if e.Has(FieldID) {
		t.Fatal("an event without a message was mined")
	}
}

func TestTableLimit(t *testing.T) {
	s, _ := New(Options{MaxTables: 2})
	for i := 0; i < 3; i++ {
		e := mkEvent("hello world", time.Now(), i)
		e.Source = fmt.Sprint("s", i)
		s.Annotate(e)
		if got := e.Has(FieldID); got != (i < 2) {
			t.Fatalf("source %d mined: %v", i, got)
		}
	}
}

func TestLoadRejectsBadFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage":  "{not json",
		"version":  `{"version":9,"tables":[]}`,
		"bad path": `{"version":1,"tables":[{"tenant":"t","source":"s","patterns":[{"template":"a b","path":["#5"]}]}]}`,
	} {
		f := filepath.Join(dir, "p.json")
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{File: f}); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestSkeleton(t *testing.T) {
	in := Info{Tenant: "t", Source: "s", ID: "p1", Template: "Failed password for <*> from <*> port=<*> 100%", Example: "Failed password for root from 1.2.3.4 port=22 100%"}
	out := string(Skeleton(in))
	for _, want := range []string{`pattern: "Failed password for %{field1} from %{field2} port=%{port} 100%%"`, `pattern_id: "p1"`, `input: "Failed password for root`, "skeleton: 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("skeleton lacks %s:\n%s", want, out)
		}
	}
}

// TestConcurrent mines from several goroutines while the tables are saved,
// listed and renamed (run with -race).
func TestConcurrent(t *testing.T) {
	lines := readLoghub(t, "OpenSSH").content
	s, _ := New(Options{File: filepath.Join(t.TempDir(), "p.json")})
	done := make(chan struct{})
	for w := 0; w < 4; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			for i, l := range lines {
				e := mkEvent(l, time.Unix(int64(i), 0), i)
				e.Source = fmt.Sprint("s", w%2)
				s.Annotate(e)
			}
		}(w)
	}
	go func() {
		defer func() { done <- struct{}{} }()
		for i := 0; i < 20; i++ {
			if err := s.Save(); err != nil {
				t.Error(err)
			}
			for _, tab := range s.Tables("") {
				for _, p := range tab.List("user") {
					tab.Rename(p.ID, "x")
				}
			}
		}
	}()
	for i := 0; i < 5; i++ {
		<-done
	}
	if n := len(s.Tables("t")); n != 2 {
		t.Fatalf("%d tables", n)
	}
}

// TestFormerIDs: a pattern found by the id it had before its template
// widened, which events stored earlier carry; the former ids survive a
// restart.
func TestFormerIDs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.json")
	s, _ := New(Options{File: file})
	first := mkEvent("backup of volume alpha finished", time.Unix(0, 0), 1)
	s.Annotate(first)
	second := mkEvent("backup of volume beta finished", time.Unix(1, 0), 2)
	s.Annotate(second)
	oldID, newID := first.GetString(FieldID), second.GetString(FieldID)
	if oldID == newID || second.GetString(FieldTemplate) != "backup of volume <*> finished" {
		t.Fatalf("ids %s %s, template %s", oldID, newID, second.GetString(FieldTemplate))
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := s2.Table("t", "s", false).Get(oldID)
	if !ok || p.ID != newID || len(p.FormerIDs) != 1 || p.FormerIDs[0] != oldID || p.Count != 2 {
		t.Fatalf("by former id: %+v %v", p, ok)
	}
}

// TestEvictionKeepsTreeWhole: with room for one pattern, each new
// template evicts the last, and is still found by the next message of
// its template (it was not put in a node the eviction pruned).
func TestEvictionKeepsTreeWhole(t *testing.T) {
	m := NewMiner(MinerOptions{MaxPatterns: 1})
	for _, msg := range []string{"alpha beta gamma delta epsilon", "alpha beta one two three", "alpha beta gamma delta epsilon"} {
		p, _ := m.Add(msg)
		if q := m.Match(msg); q != p || m.Len() != 1 {
			t.Fatalf("%q: pattern %v not found after adding (found %v, %d patterns)", msg, p.Template, q, m.Len())
		}
	}
}
