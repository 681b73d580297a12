package awslog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSplitCloudTrail(t *testing.T) {
	f := func(name, in string, want []string, wantErr string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			// One byte at a time, so every buffer boundary is crossed.
			recs, _, err := split(t, iotest.OneByteReader(strings.NewReader(in)))
			if wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, wantErr)
			}
			if strings.Join(recs, "|") != strings.Join(want, "|") {
				t.Fatalf("records\n%q\nwant\n%q", recs, want)
			}
		})
	}
	f("document", `{"Records":[{"a":1},{"b":"x]}"}]}`, []string{`{"a":1}`, `{"b":"x]}"}`}, "")
	f("pretty document", "{\n  \"Records\" : [\n    {\"a\": [1, {\"c\": \"\\\"}\"}]},\n    {}\n  ]\n}\n",
		[]string{`{"a": [1, {"c": "\"}"}]}`, `{}`}, "")
	f("empty records", `{"Records":[]}`, nil, "")
	f("other members skipped", `{"Records":[{"a":1}],"x":{"Records":[{"no":1}]},"y":[1,2]}`, []string{`{"a":1}`}, "")
	f("two documents", `{"Records":[{"a":1}]}`+"\n"+`{"Records":[{"b":2}]}`, []string{`{"a":1}`, `{"b":2}`}, "")
	f("ndjson", "{\"eventName\":\"A\"}\n{\"eventName\":\"B\",\"Records\":1}\n", []string{`{"eventName":"A"}`, `{"eventName":"B","Records":1}`}, "")
	f("array", `[{"a":1}, {"b":2}]`, []string{`{"a":1}`, `{"b":2}`}, "")
	f("scalar elements kept for the mapper to refuse", `{"Records":[1,"s",null]}`, []string{`1`, `"s"`, `null`}, "")
	f("bom", "\xEF\xBB\xBF{\"Records\":[{\"a\":1}]}", []string{`{"a":1}`}, "")
	f("empty", "", nil, "")
	f("spaces", " \n\t ", nil, "")
	f("scalar at top", `42`, nil, "want '{' or '['")
	f("cut in a record", `{"Records":[{"a":1},{"b":`, []string{`{"a":1}`}, "unexpected EOF")
	f("cut in a string", `{"Records":[{"a":"x`, nil, "unexpected EOF")
	f("missing comma", `{"Records":[{"a":1} {"b":2}]}`, []string{`{"a":1}`}, "want ',' or ']'")
	f("bad member", `{"Records":[{"a":1}],}`, []string{`{"a":1}`}, "want a member name")
}

func TestSplitCloudTrailTooLarge(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", MaxRecordBytes) + `"}`
	in := `{"Records":[` + big + `,{"b":2}]}`
	recs, errs, err := split(t, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || !errors.Is(errs[0], ErrRecordTooLarge) || len(recs[0]) != MaxRecordBytes || errs[1] != nil || recs[1] != `{"b":2}` {
		t.Fatalf("got %d records, errors %v", len(recs), errs)
	}
}

func TestSplitCloudTrailCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := SplitCloudTrail(strings.NewReader(`{"Records":[{},{},{}]}`), func(int64, []byte, error) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("err %v after %d records", err, n)
	}
}

// TestSplitCloudTrailOTRF splits a CloudTrail document built from the OTRF
// records and the records as NDJSON: both give back every record.
func TestSplitCloudTrailOTRF(t *testing.T) {
	lines := otrfCloudTrailLines(t)
	for name, in := range map[string][]byte{
		"document": cloudTrailDocument(lines),
		"ndjson":   append(bytes.Join(lines, []byte("\n")), '\n'),
	} {
		t.Run(name, func(t *testing.T) {
			recs, _, err := split(t, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(lines) {
				t.Fatalf("%d records, want %d", len(recs), len(lines))
			}
			for i := range recs {
				if recs[i] != string(lines[i]) {
					t.Fatalf("record %d differs", i+1)
				}
				if !json.Valid([]byte(recs[i])) {
					t.Fatalf("record %d is not valid JSON", i+1)
				}
			}
		})
	}
}

// errReader fails after its data.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestSplitCloudTrailReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, _, err := split(t, &errReader{r: strings.NewReader(`{"Records":[{"a":1},`), err: boom})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want it to wrap the read error", err)
	}
}
