package query

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParse checks each query by its canonical text: Parse, then String.
func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		p, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			return
		}
		if got := p.String(); got != want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", in, got, want)
		}
	}
	// Empty and match-all.
	f(``, ``)
	f(`   `, ``)
	f(`*`, `*`)
	f(`**`, `*`)
	// Bare words and phrases.
	f(`error`, `error`)
	f(`failed password`, `failed AND password`)
	f(`"failed password"`, `"failed password"`)
	f(`"say \"hi\" \\ C:\dir"`, `"say \"hi\" \\ C:\\dir"`)
	f(`fail*`, `fail*`)
	f(`f?il`, `f?il`)
	f(`"fail*"`, `"fail*"`)
	f(`/etc/passwd`, `/etc/passwd`)
	f(`foo-bar`, `foo-bar`)
	f(`пароль`, `пароль`)
	f(`[error]`, `"[error]"`)
	f(`a"b`, `"a\"b"`)
	f(`index.php?id=1`, `index.php?id\=1`)
	f(`C:\Windows\System32\cmd.exe`, `"C:\\Windows\\System32\\cmd.exe"`)
	f(`https://example.com/x`, `"https://example.com/x"`)
	f(`\-x`, `"-x"`)
	f(`a\ b`, `"a b"`)
	f(`a\:b`, `"a:b"`)
	f(`"and"`, `"and"`)
	f(`"TO"`, `TO`)
	f(`12:30:00`, `"12:30:00"`)
	// Boolean operators, any case, implicit AND, precedence.
	f(`a AND b`, `a AND b`)
	f(`a and b`, `a AND b`)
	f(`a b c`, `a AND b AND c`)
	f(`a OR b`, `a OR b`)
	f(`a or b c`, `a OR b AND c`)
	f(`(a OR b) c`, `(a OR b) AND c`)
	f(`a (b c)`, `a AND b AND c`)
	f(`((a))`, `a`)
	f(`NOT a`, `NOT a`)
	f(`not a b`, `NOT a AND b`)
	f(`-a`, `NOT a`)
	f(`- a`, `NOT a`)
	f(`NOT NOT a`, `NOT NOT a`)
	f(`NOT (a OR b)`, `NOT (a OR b)`)
	f(`-(a b)`, `NOT (a AND b)`)
	f(`a OR (b OR c)`, `a OR b OR c`)
	// Field values.
	f(`user.name:admin`, `user.name:admin`)
	f(`user.name=admin`, `user.name:admin`)
	f(`user.name: admin`, `user.name:admin`)
	f(`user.name:"John Smith"`, `user.name:"John Smith"`)
	f(`user.name:svc_*`, `user.name:svc_*`)
	f(`user.name:*`, `user.name:*`)
	f(`user.name:"*"`, `user.name:"*"`)
	f(`event.code:4625`, `event.code:4625`)
	f(`x:-5`, `x:-5`)
	f(`x:AND`, `x:AND`)
	f(`x:a:b`, `x:a:b`)
	f(`x:=y`, `x:"=y"`)
	f(`@timestamp:2024-05-01T10:00:00Z`, `@timestamp:2024-05-01T10:00:00Z`)
	f(`process.executable:C:\Windows\*\cmd.exe`, `process.executable:C:\Windows\*\cmd.exe`)
	f(`file.path:\\server\share\*`, `file.path:\\server\share\*`)
	f(`url.original:https://x.org/a?b=1`, `url.original:https://x.org/a?b=1`)
	f(`message:"failed password"`, `message:"failed password"`)
	f(`process.command_line:*powershell*-enc*`, `process.command_line:*powershell*-enc*`)
	f(`x:a\ b*`, `x:a\ b*`)
	f(`xy:\(a*`, `xy:\(a*`)
	f(`x:\(a*`, `x: \(a*`) // a space keeps `x:\(` from reading as the drive path `C:\dir`
	f(`C:\dir x:\dir`, `"C:\\dir" AND "x:\\dir"`)
	// CIDR.
	f(`source.ip:10.0.0.0/8`, `source.ip:10.0.0.0/8`)
	f(`source.ip:10.1.2.3/8`, `source.ip:10.0.0.0/8`)
	f(`source.ip:2001:db8::/32`, `source.ip:2001:db8::/32`)
	f(`source.ip:::/0`, `source.ip:::/0`)
	f(`source.ip:"10.0.0.0/8"`, `source.ip:"10.0.0.0/8"`)
	f(`source.ip:fe80::1`, `source.ip:fe80::1`)
	f(`source.ip:10.0.0.0/33`, `source.ip:10.0.0.0/33`)
	// Ranges and comparisons.
	f(`destination.port:[1 TO 1024]`, `destination.port:[1 TO 1024]`)
	f(`destination.port:{1 TO 1024}`, `destination.port:{1 TO 1024}`)
	f(`destination.port:[1 to 1024}`, `destination.port:[1 TO 1024}`)
	f(`destination.port:[ 1   TO   1024 ]`, `destination.port:[1 TO 1024]`)
	f(`x:[* TO 5]`, `x<=5`)
	f(`x:{5 TO *]`, `x>5`)
	f(`x:[* TO *]`, `x:{* TO *}`)
	f(`x:["a b" TO "c]"]`, `x:["a b" TO "c]"]`)
	f(`x:[a\ b TO c]`, `x:["a b" TO c]`)
	f(`x:["*" TO *]`, `x>="*"`)
	f(`@timestamp:[2024-01-01 TO 2024-02-01}`, `@timestamp:[2024-01-01 TO 2024-02-01}`)
	f(`bytes>=1000`, `bytes>=1000`)
	f(`bytes>1000`, `bytes>1000`)
	f(`bytes<1000`, `bytes<1000`)
	f(`bytes<=1000`, `bytes<=1000`)
	f(`bytes:>1000`, `bytes>1000`)
	f(`bytes:>=1000`, `bytes>=1000`)
	f(`bytes:<1000`, `bytes<1000`)
	f(`bytes:<=1000`, `bytes<=1000`)
	f(`bytes >= 1000`, `bytes>=1000`)
	f(`bytes > -5`, `bytes>-5`)
	f(`bytes>"a b"`, `bytes>"a b"`)
	f(`x>=a*`, `x>="a*"`)
	f(`x!=y`, `x:* AND NOT x:y`)
	f(`x != y*`, `x:* AND NOT x:y*`)
	f(`x!=*`, `x:* AND NOT x:*`)
	f(`x!=10.0.0.0/8`, `x:* AND NOT x:10.0.0.0/8`)
	f(`@timestamp>=2024-05-01T10:00:00Z`, `@timestamp>=2024-05-01T10:00:00Z`)
	f(`@timestamp>1714557600`, `@timestamp>1714557600`)
	// Field groups.
	f(`user.name:(admin OR root)`, `user.name:admin OR user.name:root`)
	f(`user.name:(admin root)`, `user.name:admin AND user.name:root`)
	f(`user.name:(admin OR root -guest)`, `user.name:admin OR user.name:root AND NOT user.name:guest`)
	f(`user.name:(admin OR (root AND NOT x*)) y`, `(user.name:admin OR user.name:root AND NOT user.name:x*) AND y`)
	f(`user.name:("a b" OR c)`, `user.name:"a b" OR user.name:c`)
	f(`port:([1 TO 5] OR 80)`, `port:[1 TO 5] OR port:80`)
	f(`source.ip:(fe80::1 OR 10.0.0.0/8)`, `source.ip:fe80::1 OR source.ip:10.0.0.0/8`)
	f(`x:(a:b)`, `x:a:b`)
	f(`x:(a)`, `x:a`)
	f(`x:(-5)`, `NOT x:5`)
	// The example of the issue.
	f(`event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* | stats count() by user.name | sort -count | head 10`,
		`event.code:4625 AND source.ip:10.0.0.0/8 AND NOT user.name:svc_* | stats count() by user.name | sort -count | head 10`)
	// Pipes.
	f(`| fields a, b`, `| fields a, b`)
	f(`| fields a b,c`, `| fields a, b, c`)
	f(`| table a`, `| fields a`)
	f(`x | sort -a, b`, `x | sort -a, b`)
	f(`| sort a desc, b asc`, `| sort -a, b`)
	f(`| sort +a`, `| sort a`)
	f(`| sort - a`, `| sort -a`)
	f(`| head`, `| head 10`)
	f(`| head 5`, `| head 5`)
	f(`| limit 5`, `| head 5`)
	f(`| HEAD 5 | Sort a`, `| head 5 | sort a`)
	f(`| where user.name:root`, `| where user.name:root`)
	f(`| where a,b`, `| where "a,b"`)
	f(`| where x:a,b`, `| where x:"a,b"`)
	f(`| stats count()`, `| stats count()`)
	f(`| stats count`, `| stats count()`)
	f(`| stats count() as count`, `| stats count()`)
	f(`| stats count() AS n by a`, `| stats count() as n by a`)
	f(`| stats count(a), dc(b), distinct_count(c) as dc3, min(d), max(d), avg(d), mean(e), sum(d), values(f) BY g, h`,
		`| stats count(a), dc(b), dc(c) as dc3, min(d), max(d), avg(d), avg(e), sum(d), values(f) by g, h`)
	f(`| stats count() dc(b)`, `| stats count(), dc(b)`)
	f(`| stats count() by a | where count > 5 | sort -count`, `| stats count() by a | where count>5 | sort -count`)
	f(`| stats dc(user.name) by a | sort -dc(user.name) | fields dc(user.name)`, `| stats dc(user.name) by a | sort -dc(user.name) | fields dc(user.name)`)
	f(`| stats count() | sort -count()`, `| stats count() | sort -count`)
	f(`| timechart span=5m count() by host.name`, `| timechart span=5m count() by host.name`)
	f(`| timechart span=300s count()`, `| timechart span=5m count()`)
	f(`| timechart span=90s count()`, `| timechart span=90s count()`)
	f(`| timechart span=24h count()`, `| timechart span=1d count()`)
	f(`| timechart count() span=1h`, `| timechart span=1h count()`)
	f(`| timechart`, `| timechart count()`)
	f(`| timechart by host.name`, `| timechart count() by host.name`)
	f(`| timechart span=1m avg(bytes) | where _time>=2024-01-01`, `| timechart span=1m avg(bytes) | where _time>=2024-01-01`)
	f(`| fields a, b | where a:x | sort b`, `| fields a, b | where a:x | sort b`)
	f(`| stats count() by a | fields count`, `| stats count() by a | fields count`)
}

// TestParseTree checks the trees behind a few canonical texts, so that the
// printer cannot hide a wrong parse.
func TestParseTree(t *testing.T) {
	f := func(in string, want *Plan) {
		t.Helper()
		got, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q)\n got %#v\nwant %#v", in, got, want)
		}
	}
	f(``, &Plan{})
	f(`a OR b c`, &Plan{Filter: &Or{Args: []Expr{
		&Match{Value: "a"},
		&And{Args: []Expr{&Match{Value: "b"}, &Match{Value: "c"}}},
	}}})
	f(`-user.name:svc_* "x y"`, &Plan{Filter: &And{Args: []Expr{
		&Not{Arg: &Match{Field: "user.name", Value: "svc_*", Wild: true}},
		&Match{Value: "x y"},
	}}})
	f(`source.ip:10.1.0.0/16 f:*`, &Plan{Filter: &And{Args: []Expr{
		&CIDR{Field: "source.ip", Prefix: netip.MustParsePrefix("10.1.0.0/16")},
		&Exists{Field: "f"},
	}}})
	f(`p:[1 TO 5} q>=2 r<x`, &Plan{Filter: &And{Args: []Expr{
		&Range{Field: "p", Lo: "1", Hi: "5", HasLo: true, HasHi: true, IncLo: true},
		&Range{Field: "q", Lo: "2", HasLo: true, IncLo: true},
		&Range{Field: "r", Hi: "x", HasHi: true},
	}}})
	f(`x:(a OR "b")`, &Plan{Filter: &Or{Args: []Expr{&Match{Field: "x", Value: "a"}, &Match{Field: "x", Value: "b"}}}})
	f(`*`, &Plan{Filter: &All{}})
	f(`xy:\*`, &Plan{Filter: &Match{Field: "xy", Value: `\*`, Wild: true}})
	f(`| fields a | sort -a | head 3 | where a:1`, &Plan{Pipes: []Pipe{
		&Fields{Names: []string{"a"}},
		&Sort{Keys: []SortKey{{Field: "a", Desc: true}}},
		&Head{N: 3},
		&Where{Filter: &Match{Field: "a", Value: "1"}},
	}})
	f(`| stats count(), dc(u) as users by h`, &Plan{Pipes: []Pipe{
		&Stats{Aggs: []Agg{{Func: Count}, {Func: DistinctCount, Field: "u", As: "users"}}, By: []string{"h"}},
	}})
	f(`| timechart span=2h sum(b) by h`, &Plan{Pipes: []Pipe{
		&Timechart{Span: 2 * time.Hour, Aggs: []Agg{{Func: Sum, Field: "b"}}, By: []string{"h"}},
	}})
}

// TestErrors checks every error the parser gives and where it points. The
// column is 1-based, in characters.
func TestErrors(t *testing.T) {
	f := func(in string, col int, msg string) {
		t.Helper()
		_, err := Parse(in)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a *query.Error", in, err)
			return
		}
		if pe.Column != col || !strings.Contains(pe.Msg, msg) {
			t.Errorf("Parse(%q)\n got column %d: %s\nwant column %d: …%s…", in, pe.Column, pe.Msg, col, msg)
		}
		if want := "parse query at "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Parse(%q) error %q does not start with %q", in, err, want)
		}
	}
	// The example of the issue: the value is missing at the end.
	f(`event.code:4625 source.ip:`, 27, `expected a value after "source.ip:"`)
	f(`source.ip: `, 12, `expected a value after "source.ip:"`)
	f(`a:)`, 3, `expected a value after "a:", found ")"`)
	f(`a:|x`, 3, `expected a value after "a:"`)
	f(`bytes>`, 7, `expected a value after "bytes>"`)
	f(`bytes >`, 8, `expected a value after "bytes >"`)
	f(`bytes>(1)`, 7, `expected a value after "bytes>"`)
	f(`bytes>[1 TO 2]`, 7, `expected a value after "bytes>"`)
	f(`bytes!=(1)`, 8, `expected a value after "bytes!="`)
	f(`x>""`, 3, `expected a value after "x>"`)
	// Operators without a field.
	f(`> 5`, 1, `expected a field name before ">"`)
	f(`a OR >5`, 6, `expected a field name before ">"`)
	f(`"a b" > 5`, 7, `expected a field name before ">"`)
	f(`a* > 5`, 1, `expected a field name before ">"`)
	// Boolean operators.
	f(`AND a`, 1, `expected a term before AND`)
	f(`or`, 1, `expected a term before or`)
	f(`a AND`, 6, `expected a term after AND`)
	f(`a OR`, 5, `expected a term after OR`)
	f(`a OR OR b`, 6, `expected a term after OR`)
	f(`a AND OR b`, 7, `expected a term after AND`)
	f(`NOT`, 4, `expected a term after NOT`)
	f(`a -`, 4, `expected a term after -`)
	f(`NOT | stats count()`, 5, `expected a term after NOT`)
	// Parentheses.
	f(`(a`, 3, `expected ")" to close the parenthesis at 1`)
	f(`(a OR (b)`, 10, `expected ")" to close the parenthesis at 1`)
	f(`()`, 2, `expected a term after "("`)
	f(`a)`, 2, `no parenthesis is open`)
	f(`x:(a`, 5, `expected ")" to close the parenthesis at 3`)
	f(`x:()`, 4, `expected a term after "("`)
	f(`x:(a OR)`, 8, `expected a term after OR`)
	f(strings.Repeat("(", 101)+"a"+strings.Repeat(")", 101), 101, `nests deeper than 100`)
	f(strings.Repeat("NOT ", 101)+"a", 401, `nests deeper than 100`)
	// Phrases and ranges.
	f(`"abc`, 1, `unterminated phrase`)
	f(`x:"abc\"`, 3, `unterminated phrase`)
	f(`""`, 1, `empty phrase`)
	f(`x:[1 TO 5`, 10, `expected ] or } to close the range opened at 3`)
	f(`x:[1 5]`, 6, `expected TO in the range opened at 3`)
	f(`x:[1 TO]`, 8, `expected a range bound`)
	f(`x:[ TO 5]`, 8, `expected TO`)
	f(`x:[`, 4, `expected a range bound`)
	f(`x:["a TO 5]`, 4, `unterminated phrase`)
	// Time fields.
	f(`@timestamp:yesterday`, 12, `@timestamp is a time and "yesterday" is not one`)
	f(`@timestamp>2024-13-01`, 12, `is not one`)
	f(`@timestamp:[2024-01-01 TO soon]`, 27, `"soon" is not one`)
	f(`@timestamp:2024*`, 12, `use a range`)
	f(`event.ingested:10.0.0.0/8`, 16, `not an IP address`)
	// Pipes.
	f(`a |`, 4, `expected a command after "|"`)
	f(`a | 5`, 5, `unknown command "5"`)
	f(`a | "stats"`, 5, `expected a command after "|"`)
	f(`a | top user`, 5, `unknown command "top"`)
	f(`| fields`, 9, `fields needs a field name`)
	f(`| fields a,`, 12, `expected a field name after ","`)
	f(`| fields a, a`, 13, `fields lists "a" twice`)
	f(`| fields a*`, 10, `expected a field name, found "a*"`)
	f(`| fields a | sort b`, 19, `no field "b" here: the rows have a`)
	f(`| fields a | where b:1`, 20, `no field "b" here`)
	f(`| fields a | where x`, 20, `bare words search message and event.original`)
	f(`| sort`, 7, `sort needs a field to sort by`)
	f(`| sort a,`, 10, `expected a field name to sort by after ","`)
	f(`| sort a, a`, 11, `sort lists "a" twice`)
	f(`| sort -a asc`, 11, `sorts descending`)
	f(`| sort "a"`, 8, `expected a field name to sort by`)
	f(`| head 0`, 8, `head takes a positive number`)
	f(`| head -1`, 8, `head takes a positive number`)
	f(`| head x`, 8, `head takes a positive number`)
	f(`| head 99999999999999999999`, 8, `head takes a positive number`)
	f(`| head 5 6`, 10, `head takes one number`)
	f(`| where`, 8, `where needs a filter`)
	f(`| where a)`, 10, `no parenthesis is open`)
	f(`| stats`, 8, `stats needs an aggregate`)
	f(`| stats by a`, 9, `stats needs an aggregate`)
	f(`| stats count() by`, 19, `by needs a field name to group by`)
	f(`| stats count() user.name`, 17, `expected "by" or the end of stats`)
	f(`| stats dc()`, 9, `dc needs a field, like dc(user.name)`)
	f(`| stats avg`, 9, `avg needs a field`)
	f(`| stats count(a`, 16, `expected ")" after the field of count`)
	f(`| stats count(*)`, 15, `expected a field name, found "*"`)
	f(`| stats count(),`, 17, `expected an aggregate after ","`)
	f(`| stats count() as`, 19, `expected a column name after "as"`)
	f(`| stats count(), count()`, 3, `two columns named "count"`)
	f(`| stats count() as a by a`, 3, `two columns named "a"`)
	f(`| stats count() by a, a`, 23, `by lists "a" twice`)
	f(`| stats count() by a | sort b`, 29, `no field "b" here: the rows have a, count`)
	f(`| stats count() by a | where b>1`, 30, `no field "b" here`)
	f(`| stats count() by a | where x`, 30, `bare words search`)
	f(`| stats count() by a | stats sum(b)`, 34, `no field "b" here`)
	f(`| stats count() by a | timechart count()`, 24, `timechart needs @timestamp`)
	f(`| timechart span=5 count()`, 18, `span takes a duration`)
	f(`| timechart span=5w count()`, 18, `span takes a duration`)
	f(`| timechart span=0m count()`, 18, `span takes a duration`)
	f(`| timechart span=367d count()`, 18, `span takes a duration`)
	f(`| timechart span>5m count()`, 18, `span takes a duration`)
	f(`| timechart span=5m span=1h`, 21, `span twice`)
	f(`| timechart count() by _time`, 3, `do not group by it`)
	f(`a b | stats count() )`, 21, `expected "by" or the end of stats, found ")"`)
	f(`a b ) | stats count()`, 5, `unexpected ")"`)
	// Limits and encoding.
	f(strings.Repeat("a ", MaxQueryLen), MaxQueryLen+1, `longer than`)
	f("abc \xff", 5, `not valid UTF-8`)
	f("é \xff", 3, `not valid UTF-8`)
}

func TestErrorColumnCountsCharacters(t *testing.T) {
	const q = `пароль x:`
	_, err := Parse(q)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("Parse: %v", err)
	}
	if pe.Offset != len(q) || pe.Column != 10 {
		t.Errorf("got offset %d column %d, want offset %d column 10", pe.Offset, pe.Column, len(q))
	}
}
