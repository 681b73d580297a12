package sqlgen

import (
	"bufio"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestFullTextOnRealLogs runs full-text queries built from words of real
// logs (loghub samples) and checks two things on what DuckDB returns:
//   - a bare word that is one token matches exactly the events that have
//     that token (the tokenizer of the bloom-filter contract);
//   - every event a query matches has all of the query's Plan.Terms, so a
//     store that skips files lacking a term never loses a match.
func TestFullTextOnRealLogs(t *testing.T) {
	var lines []string
	for _, rel := range []string{"OpenSSH/OpenSSH_2k.log", "Linux/Linux_2k.log", "Apache/Apache_2k.log", "Windows/Windows_2k.log"} {
		path := testutil.SharedData(t, "loghub/"+rel)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("read %s: %v", rel, err)
		}
	}
	db := openDB(t)
	createTable(t, db)
	msgs := make([]string, len(lines))
	tokens := make([][]string, len(lines))
	for i, line := range lines {
		// The message is the line after its first 3 words, as a parser
		// would cut off a header; the original is the whole line.
		msgs[i] = line
		if parts := strings.SplitN(line, " ", 4); len(parts) == 4 {
			msgs[i] = parts[3]
		}
		tokens[i] = query.AppendTokens(query.AppendTokens(nil, msgs[i]), line)
	}
	// One statement: a row per line, event.id its index.
	if _, err := db.Exec(`INSERT INTO ev ("@timestamp", "event.id", "vigil.tenant", "message", "event.original")
		SELECT TIMESTAMP '2024-05-01 10:00:00' + to_seconds(i), CAST(i AS VARCHAR), 'default', m[i + 1], o[i + 1]
		FROM (SELECT CAST(? AS VARCHAR[]) AS m, CAST(? AS VARCHAR[]) AS o), range(?) AS r(i)`,
		msgs, lines, len(lines)); err != nil {
		t.Fatal(err)
	}
	cat := storeCatalog()
	req := Request{From: "ev", Tenant: "default"}

	r := rand.New(rand.NewPCG(5, 6))
	var queries []string
	for range 40 {
		words := strings.Fields(lines[r.IntN(len(lines))])
		w := words[r.IntN(len(words))]
		if strings.ContainsAny(w, `"\`) {
			continue
		}
		phrase := `"` + w + `"`
		queries = append(queries, phrase, strings.ToUpper(phrase))
		if i := r.IntN(len(words)); i+1 < len(words) && !strings.ContainsAny(words[i]+words[i+1], `"\`) {
			queries = append(queries, `"`+words[i]+" "+words[i+1]+`"`)
		}
		if toks := query.AppendTokens(nil, w); len(toks) > 0 {
			tok := toks[r.IntN(len(toks))]
			queries = append(queries, tok, tok+"*", "*"+tok, tok[:len(tok)/2+1]+"*")
			other := tokens[r.IntN(len(tokens))]
			if len(other) > 0 {
				o := other[r.IntN(len(other))]
				queries = append(queries, tok+" "+o, tok+" OR "+o, "("+tok+" OR "+o+") -"+tok+"x")
			}
		}
	}
	for _, text := range queries {
		plan, err := query.Parse(text)
		if err != nil {
			continue // a word of the logs that is not valid query text
		}
		q, err := Compile(DuckDB, plan, cat, req)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := db.Query("SELECT \"event.id\" FROM ("+q.SQL+")", q.Args...)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		matched := map[int]bool{}
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				t.Fatal(err)
			}
			i, err := strconv.Atoi(id)
			if err != nil {
				t.Fatal(err)
			}
			matched[i] = true
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
		terms := plan.Terms()
		for i := range matched {
			for _, term := range terms {
				if !slices.Contains(tokens[i], term) {
					t.Fatalf("%q matches event %d, which lacks the term %q: a bloom filter would have skipped it\n%s", text, i, term, lines[i])
				}
			}
		}
		if m, ok := plan.Filter.(*query.Match); ok && !m.Wild && len(query.AppendTokens(nil, m.Value)) == 1 && query.AppendTokens(nil, m.Value)[0] == query.Fold(m.Value) {
			want := query.Fold(m.Value)
			for i := range lines {
				if has := slices.Contains(tokens[i], want); has != matched[i] {
					t.Fatalf("%q: event %d matched %v, but has the token %q: %v\n%s", text, i, matched[i], want, has, lines[i])
				}
			}
		}
	}
}
