package bench

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Answer says which number of a query's result the comparison checks, so
// that Vigil and a peer can be seen to answer the same question.
type Answer int

const (
	// AnswerSum is the sum of the result's "count" column.
	AnswerSum Answer = iota
	// AnswerTotal is the number of matching events (Vigil's "total").
	AnswerTotal
	// AnswerRows is the number of rows returned.
	AnswerRows
)

// Query is one of the fixed queries, in Vigil's language and in LogsQL.
type Query struct {
	Name string
	// Q is the query in Vigil's language, run through /api/v1/search.
	Q string
	// Limit is the page size asked of Vigil (the UI asks for 100).
	Limit int
	// Vigil says which number of Vigil's answer is compared.
	Vigil Answer
	// LogsQL is the same question for VictoriaLogs, over records sent with
	// the fields host and app (Generator.Stream) and the line as _msg: what
	// Vigil's parsers and normalisers find in the line (user.name,
	// source.ip), LogsQL extracts with extract_regexp at query time.
	LogsQL string
	// Peer says which number of VictoriaLogs' answer is compared.
	Peer Answer
}

// userRegexp finds the user of each kind of record of the mix, as Vigil's
// parsers and normalisers do (sshd "for U", sudo "sudo[pid]:    U :", cron
// "(U)", session "of user U", RFC 5424 "user=U", CEF "suser=U", JSON
// user.name; kernel records have none): in every record the first word that
// looks like a user is the user (TestLogsQLExtractsWhatVigilStores). A
// regexp anchored on each format's key ("for |user=|…") gives the same
// answer 3× slower in VictoriaLogs.
const userRegexp = `(?P<user>root|user[0-9]+)`

// srcRegexp finds the source address: sshd "from A", kernel "SRC=A", RFC
// 5424 and CEF "src=A", JSON source.ip.
const srcRegexp = `(from |SRC=|src=|"ip":")(?P<src>[0-9.]+)`

// cidrPhrase is a phrase every record with a source address in CIDR holds,
// the prefilter a LogsQL user would write: VictoriaLogs then runs the
// regexp on those records only (13× faster than on all).
const cidrPhrase = "10.20"

// Queries are the fixed query set of issue 13, run over the whole day.
func Queries() []Query {
	return []Query{
		{Name: "count-by-field", Q: "* | stats count() by host.name | sort -count | head 10", Limit: 100, Vigil: AnswerSum,
			LogsQL: "* | stats by (host) count() as count | sort by (count desc) | limit 10", Peer: AnswerSum},
		{Name: "rare-term", Q: RareTerm, Limit: 100, Vigil: AnswerTotal,
			LogsQL: RareTerm + " | limit 100", Peer: AnswerRows},
		{Name: "timechart", Q: "* | timechart span=1m count()", Limit: 10_000, Vigil: AnswerSum,
			LogsQL: "* | stats by (_time:1m) count() as count", Peer: AnswerSum},
		{Name: "top-users", Q: "user.name:* | stats count() by user.name | sort -count | head 10", Limit: 100, Vigil: AnswerSum,
			LogsQL: "* | extract_regexp " + logsqlString(userRegexp) + " | filter user:* | stats by (user) count() as count | sort by (count desc) | limit 10", Peer: AnswerSum},
		{Name: "cidr-filter", Q: "source.ip:" + CIDR, Limit: 100, Vigil: AnswerTotal,
			LogsQL: logsqlString(cidrPhrase) + " | extract_regexp " + logsqlString(srcRegexp) + " | filter src:ipv4_range(" + logsqlString(CIDR) + ") | count() as count", Peer: AnswerSum},
		{Name: "newest-page", Q: "*", Limit: 100, Vigil: AnswerRows,
			LogsQL: "* | sort by (_time desc) | limit 100", Peer: AnswerRows},
	}
}

// QueriesNamed returns the queries with the given names, in that order; no
// names: all of them.
func QueriesNamed(names []string) ([]Query, error) {
	all := Queries()
	if len(names) == 0 {
		return all, nil
	}
	var out []Query
	for _, n := range names {
		found := false
		for _, q := range all {
			if q.Name == n {
				out, found = append(out, q), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("select queries: no query %q", n)
		}
	}
	return out, nil
}

// logsqlString quotes s as a LogsQL string literal (the same escapes as Go's
// double-quoted strings).
func logsqlString(s string) string { return strconv.Quote(s) }

// answer computes a result's compared number from its rows (each a JSON
// object), the server's total and the kind asked for.
func answer(kind Answer, rows []json.RawMessage, total int64) (int64, error) {
	switch kind {
	case AnswerTotal:
		return total, nil
	case AnswerRows:
		return int64(len(rows)), nil
	}
	var sum int64
	for _, r := range rows {
		var row struct {
			Count json.RawMessage `json:"count"`
		}
		if err := json.Unmarshal(r, &row); err != nil {
			return 0, fmt.Errorf("read count: %w", err)
		}
		// Vigil writes counts as numbers, VictoriaLogs as strings.
		s := string(row.Count)
		if uq, err := strconv.Unquote(s); err == nil {
			s = uq
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read count %s: %w", row.Count, err)
		}
		sum += n
	}
	return sum, nil
}
