package bench

import (
	"context"
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/parse"
)

// TestLogsQLExtractsWhatVigilStores: the regular expressions the LogsQL
// queries extract user and source address with (VictoriaLogs' regexps are
// Go's RE2) find, in each record sent to VictoriaLogs, the same user.name
// and source.ip Vigil stores for it, and the stream host is Vigil's
// host.name: the two stores are asked the same question.
func TestLogsQLExtractsWhatVigilStores(t *testing.T) {
	g := &Generator{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Events: 10_000}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	norms := append(normalize.Processors(normalize.BeforePipelines), normalize.Processors(normalize.AfterPipelines)...)
	userRe, srcRe := regexp.MustCompile(userRegexp), regexp.MustCompile(srcRegexp)
	// A LogsQL phrase matches at word boundaries.
	phraseRe := regexp.MustCompile(`(^|[^\pL\pN_])` + regexp.QuoteMeta(cidrPhrase) + `($|[^\pL\pN_])`)
	cidr := netip.MustParsePrefix(CIDR)
	var users, srcs, inCIDR int
	for i := 0; i < 8000; i++ {
		rec := g.Append(nil, i)
		e := &event.Event{Original: string(rec)}
		if err := ps.Parse(rec, e); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		evs := []*event.Event{e}
		for _, p := range norms {
			evs = p.Process(context.Background(), evs)
		}
		// What VictoriaLogs gets: the JSON line, whose _msg is the record.
		var line struct{ Msg, Host string }
		jl := AppendJSONLine(nil, g, i, rec)
		if err := json.Unmarshal(jl, &struct {
			Msg  *string `json:"_msg"`
			Host *string `json:"host"`
		}{&line.Msg, &line.Host}); err != nil {
			t.Fatalf("record %d: JSON line %s: %v", i, jl, err)
		}
		if line.Msg != string(rec) {
			t.Fatalf("record %d: _msg %q, want %q", i, line.Msg, rec)
		}
		if got := e.GetString("host.name"); got != line.Host {
			t.Errorf("record %d: stream host %q, vigil host.name %q", i, line.Host, got)
		}
		var user, src string
		if m := userRe.FindStringSubmatch(line.Msg); m != nil {
			user = m[userRe.SubexpIndex("user")]
			users++
		}
		if m := srcRe.FindStringSubmatch(line.Msg); m != nil {
			src = m[srcRe.SubexpIndex("src")]
			srcs++
		}
		if got := e.GetString("user.name"); got != user {
			t.Errorf("record %d: LogsQL user %q, vigil user.name %q (%s)", i, user, got, rec)
		}
		if got := e.GetString("source.ip"); got != src {
			t.Errorf("record %d: LogsQL src %q, vigil source.ip %q (%s)", i, src, got, rec)
		}
		if v, ok := e.Get("source.ip"); ok && v.Kind() == event.KindIP && cidr.Contains(netip.MustParseAddr(src)) {
			inCIDR++
			if !phraseRe.MatchString(line.Msg) {
				t.Errorf("record %d: source %s in %s, but no phrase %q: %s", i, src, CIDR, cidrPhrase, rec)
			}
		}
	}
	if users < 7000 || srcs < 6000 || inCIDR < 300 {
		t.Errorf("only %d users, %d addresses and %d in %s of 8000 records", users, srcs, inCIDR, CIDR)
	}
}

// TestQueriesTranslated: every query has its LogsQL, with quoted literals
// LogsQL reads back as written.
func TestQueriesTranslated(t *testing.T) {
	names := map[string]bool{}
	for _, q := range Queries() {
		names[q.Name] = true
		if q.Q == "" || q.LogsQL == "" || q.Limit <= 0 {
			t.Errorf("query %s: %+v", q.Name, q)
		}
	}
	for _, n := range []string{"count-by-field", "rare-term", "timechart", "top-users", "cidr-filter", "newest-page"} {
		if !names[n] {
			t.Errorf("no query %s", n)
		}
	}
	q, _ := QueriesNamed([]string{"cidr-filter"})
	if want := `filter src:ipv4_range("10.20.0.0/16")`; !strings.Contains(q[0].LogsQL, want) {
		t.Errorf("cidr LogsQL %s lacks %s", q[0].LogsQL, want)
	}
	if got := logsqlString(`"ip":"`); got != `"\"ip\":\""` {
		t.Errorf("logsqlString: %s", got)
	}
	if _, err := QueriesNamed([]string{"count-by-field", "nope"}); err == nil {
		t.Error("an unknown query name was taken")
	}
	if qs, _ := QueriesNamed(nil); len(qs) != len(Queries()) {
		t.Errorf("no names gave %d queries", len(qs))
	}
}

// TestAnswer reads the compared number from Vigil's rows (numbers) and
// VictoriaLogs' (strings).
func TestAnswer(t *testing.T) {
	rows := func(s ...string) []json.RawMessage {
		var out []json.RawMessage
		for _, r := range s {
			out = append(out, json.RawMessage(r))
		}
		return out
	}
	cases := []struct {
		kind  Answer
		rows  []json.RawMessage
		total int64
		want  int64
	}{
		{AnswerSum, rows(`{"host.name":"a","count":3}`, `{"host.name":"b","count":4}`), 2, 7},
		{AnswerSum, rows(`{"host":"a","count":"3"}`, `{"count":"40"}`), 0, 43},
		{AnswerTotal, rows(`{}`), 123, 123},
		{AnswerRows, rows(`{}`, `{}`, `{}`), 9, 3},
		{AnswerSum, nil, 0, 0},
	}
	for i, c := range cases {
		got, err := answer(c.kind, c.rows, c.total)
		if err != nil || got != c.want {
			t.Errorf("case %d: %d, %v; want %d", i, got, err, c.want)
		}
	}
	if _, err := answer(AnswerSum, rows(`{"count":"x"}`), 0); err == nil {
		t.Error("a count that is no number was read")
	}
}

func TestParsePeer(t *testing.T) {
	bin := t.TempDir() + "/victoria-logs"
	if err := writeFile(bin); err != nil {
		t.Fatal(err)
	}
	if name, path, err := ParsePeer("victoria-logs=" + bin); err != nil || name != PeerVictoriaLogs || path != bin {
		t.Errorf("ParsePeer: %q %q %v", name, path, err)
	}
	for _, bad := range []string{"victoria-logs", "victoria-logs=", "loki=" + bin, "victoria-logs=" + bin + ".missing"} {
		if _, _, err := ParsePeer(bad); err == nil {
			t.Errorf("ParsePeer(%q) took it", bad)
		}
	}
}
