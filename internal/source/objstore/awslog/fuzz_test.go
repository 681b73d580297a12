package awslog

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/jsontext"
)

// FuzzSplitCloudTrail checks that splitting never panics, does not depend
// on how the reader chunks its input, and gives back exactly the elements
// of a valid {"Records":[…]} document.
func FuzzSplitCloudTrail(f *testing.F) {
	for _, s := range []string{
		`{"Records":[{"a":1},{"b":"x]}"}]}`, `[{"a":1},{"b":2}]`, "{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}",
		`{"Records":[1,"s",null]}`, `{"Records":[{"a":1}],"x":{"y":[]}}`, `{"Records":[{"a":"\"\\"}]}`, `{"Records":`, `42`,
		"\xEF\xBB\xBF{}", `{"Records":[{"a":1} {"b":2}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		type result struct {
			recs []string
			errs []bool
			err  string
		}
		run := func(r *bytes.Reader, oneByte bool) result {
			var res result
			var rd interface{ Read([]byte) (int, error) } = r
			if oneByte {
				rd = iotest.OneByteReader(r)
			}
			err := SplitCloudTrail(rd, func(n int64, rec []byte, rerr error) error {
				if n != int64(len(res.recs))+1 {
					t.Fatalf("ordinal %d after %d records", n, len(res.recs))
				}
				if len(rec) > MaxRecordBytes {
					t.Fatalf("record of %d bytes", len(rec))
				}
				res.recs = append(res.recs, string(rec))
				res.errs = append(res.errs, rerr != nil)
				return nil
			})
			if err != nil {
				res.err = err.Error()
			}
			return res
		}
		whole := run(bytes.NewReader(in), false)
		bytewise := run(bytes.NewReader(in), true)
		if !reflect.DeepEqual(whole, bytewise) {
			t.Fatalf("chunking changed the result:\n%+v\n%+v", whole, bytewise)
		}
		// A valid document whose only member is a Records array.
		var doc map[string][]json.RawMessage
		if json.Unmarshal(in, &doc) == nil && len(doc) == 1 && doc["Records"] != nil && bytes.Count(in, []byte(`"Records"`)) == 1 {
			if whole.err != "" {
				t.Fatalf("valid document refused: %s", whole.err)
			}
			if len(whole.recs) != len(doc["Records"]) {
				t.Fatalf("%d records, the document has %d", len(whole.recs), len(doc["Records"]))
			}
			for i, raw := range doc["Records"] {
				var a, b bytes.Buffer
				if json.Compact(&a, raw) != nil || json.Compact(&b, []byte(whole.recs[i])) != nil || a.String() != b.String() {
					t.Fatalf("record %d: %q, want %q", i+1, whole.recs[i], raw)
				}
			}
		}
	})
}

// FuzzCloudTrail checks that mapping never panics, leaves the event alone
// on error, accepts only JSON objects, and is deterministic.
func FuzzCloudTrail(f *testing.F) {
	f.Add([]byte(`{"eventTime":"2024-03-01T10:11:12Z","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"userIdentity":{"type":"Root","sessionContext":{"attributes":{"creationDate":"x"}}},"resources":[{"ARN":"a"}],"tlsDetails":{"tlsVersion":"TLSv1.2"}}`))
	f.Add([]byte(`{"eventName":1,"sourceIPAddress":"::1","requestParameters":{"a":{"b":[1,{"c":null}]}},"x":{"y":{"z":1}}}`))
	f.Add([]byte(`{"eventSource":"s3.amazonaws.com","userIdentity":"str","resources":{},"tlsDetails":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var e1, e2 event.Event
		err := CloudTrail(in, &e1)
		if err != nil {
			if len(e1.Fields) != 0 || !e1.Timestamp.IsZero() {
				t.Fatalf("event changed on error %v", err)
			}
			return
		}
		var m map[string]any
		if json.Unmarshal(in, &m) != nil || m == nil {
			t.Fatalf("accepted %q, which is not a JSON object", in)
		}
		if err := CloudTrail(in, &e2); err != nil || !reflect.DeepEqual(e1.Fields, e2.Fields) || !e1.Timestamp.Equal(e2.Timestamp) {
			t.Fatalf("mapping is not deterministic")
		}
		seen := map[string]bool{}
		for _, fl := range e1.Fields {
			if fl.Name == "" || seen[fl.Name] || event.IsEnvelope(fl.Name) {
				t.Fatalf("bad or repeated field name %q", fl.Name)
			}
			seen[fl.Name] = true
		}
		if v, ok := e1.Get("source.ip"); ok {
			if _, ok := v.Addr(); !ok {
				t.Fatalf("source.ip %q is not an address", v.Text())
			}
		}
		if o := e1.GetString("event.outcome"); o == "" {
			t.Fatal("no event.outcome")
		}
	})
}

// FuzzFlowDecode checks that decoding never panics, refuses lines with the
// wrong number of fields, and maps ports and addresses back to the text
// they came from.
func FuzzFlowDecode(f *testing.F) {
	f.Add(strings.Join(DefaultFlowFields, " "), "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
	f.Add(v3Header, "3 vpc-a subnet-a i-0 eni-1 123 IPv6 ::1 ::2 1 2 ::1 ::2 58 1 1 1 2 REJECT 63 OK")
	f.Add("srcaddr dstaddr", "- -")
	f.Fuzz(func(t *testing.T, header, line string) {
		ff, err := ParseFlowHeader(header)
		if err != nil {
			return
		}
		var e event.Event
		err = ff.Decode(line, &e)
		vals := strings.FieldsFunc(line, func(r rune) bool { return r < 0x80 && flowSpace(byte(r)) })
		n := len(vals)
		if (err == nil) != (n == len(ff.names)) {
			t.Fatalf("Decode error %v with %d values for %d fields", err, n, len(ff.names))
		}
		if err != nil {
			if len(e.Fields) != 0 {
				t.Fatal("event changed on error")
			}
			return
		}
		for i, name := range ff.names {
			v := vals[i]
			switch name {
			case "srcport":
				if p, ok := e.Get("source.port"); ok && p.Text() != strings.TrimLeft(v, "0") && p.Int() != 0 {
					t.Fatalf("source.port %s from %q", p.Text(), v)
				}
			case "srcaddr":
				if a, ok := e.Get("source.ip"); ok {
					want, err := netip.ParseAddr(v)
					got, _ := a.Addr()
					if err != nil || got != want.Unmap() {
						t.Fatalf("source.ip %s from %q", a.Text(), v)
					}
				}
			}
		}
	})
}

// FuzzDecodeJSON checks the JSON decoder against encoding/json: the same
// inputs are accepted, into the same values.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,"x\u00e9\ud83d\ude00",true,null,{}]}`, `"\ud800"`, `"\ud800\u0041"`, "\"\xff\"",
		`[01]`, `1.`, `{"a":1,"a":2}`, ` 0 `, `"\/\b"`, `{"a"}`, "\"a\tb\"", `-`, `[1,]`,
		strings.Repeat("[", jsontext.MaxDepth+1) + strings.Repeat("]", jsontext.MaxDepth+1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := decodeJSON(in)
		if errors.Is(err, errJSONDepth) {
			return // deeper than Vigil's one limit, which encoding/json's (10,000) exceeds
		}
		d := json.NewDecoder(bytes.NewReader(in))
		d.UseNumber()
		var want any
		werr := d.Decode(&want)
		if werr == nil && d.More() {
			werr = errors.New("data after the value")
		}
		if werr == nil {
			// Decode stops after the value: anything but white space after it is an error.
			if rest := bytes.TrimLeft(in[d.InputOffset():], " \t\r\n"); len(rest) > 0 {
				werr = errors.New("data after the value")
			}
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("decodeJSON error %v, encoding/json %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeJSON %#v, encoding/json %#v", got, want)
		}
	})
}
