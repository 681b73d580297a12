package csv

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

func TestParse(t *testing.T) {
	// f parses the lines of in with a fresh parser; the wants are the
	// renderings of the events, "skip" for ErrSkip.
	f := func(opts Options, in string, want ...string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			p, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(in, "\n")
			if len(lines) != len(want) {
				t.Fatalf("bad test: %d lines, %d wants", len(lines), len(want))
			}
			for i, line := range lines {
				e := parsetest.NewEvent(line)
				err := p.Parse([]byte(line), e)
				if want[i] == "skip" {
					if !errors.Is(err, formaterr.ErrSkip) {
						t.Fatalf("line %d: err %v, want ErrSkip", i+1, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				parsetest.Check(t, e, line)
				parsetest.Equal(t, e, want[i])
			}
		})
	}
	f(Options{}, "a,b,c\n1,x,1.5\n,y,", "skip", `{"a":1,"b":"x","c":1.5}`, `{"b":"y"}`)
	f(Options{}, "a,b\n1,2,3,4\n1", "skip", `{"a":1,"b":2,"csv.column3":3,"csv.column4":4}`, `{"a":1}`)
	f(Options{}, "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"\",\"\"", "skip", `{"a":"x,y","b":"say \"hi\""}`, `{}`)
	f(Options{Header: []string{"src", "dst"}}, "10.0.0.1,10.0.0.2", `{"src":"10.0.0.1","dst":"10.0.0.2"}`)
	f(Options{Header: []string{"a", "b"}, Delimiter: '\t'}, "x y\t2", `{"a":"x y","b":2}`)
	f(Options{Header: []string{"a", "b"}, Delimiter: ';'}, `1;"2;3"`, `{"a":1,"b":"2;3"}`)
	f(Options{Header: []string{"a", "b"}, Delimiter: '¦'}, `1¦2`, `{"a":1,"b":2}`)
	// Header names: trimmed, BOM, empty, duplicates, envelope names.
	f(Options{}, "\xef\xbb\xbf id , ,id,event.id,@timestamp\n1,2,3,4,5", "skip",
		`{"id":1,"csv.column2":2,"csv.column3":3,"csv.event.id":4,"csv.@timestamp":5}`)
	// A repeated header is skipped; blank lines too; CRLF endings.
	f(Options{}, "a,b\n1,2\na,b\n\n3,4\r", "skip", `{"a":1,"b":2}`, "skip", "skip", `{"a":3,"b":4}`)
	// A bare quote inside an unquoted field is a character.
	f(Options{Header: []string{"a", "b"}}, `5" screen,x`, `{"a":"5\" screen","b":"x"}`)
}

// TestLineBreakInQuotes: a record whose framing kept a line break inside
// quotes (a file source reading RFC 4180 records) parses whole.
func TestLineBreakInQuotes(t *testing.T) {
	p, _ := New(Options{Header: []string{"a", "b"}})
	in := "1,\"multi\nline\"\n"
	e := parsetest.NewEvent(in)
	if err := p.Parse([]byte(in), e); err != nil {
		t.Fatal(err)
	}
	parsetest.Equal(t, e, `{"a":1,"b":"multi\nline"}`)
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			p, _ := New(Options{Header: []string{"a", "b"}})
			e := parsetest.NewEvent(in)
			err := p.Parse([]byte(in), e)
			if err == nil || !errors.Is(err, formaterr.ErrFormat) || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	f(`"abc,d`, `csv: field at 0: quoted field has no closing quote`)
	f(`"a"b,c`, `csv: field at 3: text after the closing quote`)
	f(`x,"a""`, `csv: field at 2: quoted field has no closing quote`)
	if _, err := New(Options{Delimiter: '"'}); err == nil {
		t.Errorf("New accepted '\"' as delimiter")
	}
}
