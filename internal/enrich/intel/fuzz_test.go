package intel

import (
	"io"
	"strings"
	"testing"
)

// checkIndicators verifies what a parser returned: every indicator is in
// canonical form for its type, names its feed, has a confidence in range,
// and the count matches the stats.
func checkIndicators(t *testing.T, inds []Indicator, st Stats) {
	t.Helper()
	if st.Loaded != len(inds) {
		t.Fatalf("stats say %d loaded, got %d", st.Loaded, len(inds))
	}
	for _, ind := range inds {
		typ, v, err := Canonical(ind.Type, ind.Value)
		if err != nil || typ != ind.Type || v != ind.Value {
			t.Fatalf("indicator %+v not canonical: %v %q %v", ind, typ, v, err)
		}
		if ind.Feed != "f" || ind.Confidence < ConfidenceUnknown || ind.Confidence > 100 {
			t.Fatalf("indicator %+v", ind)
		}
	}
	// The index built from them finds each one.
	x := Build(inds)
	if x.Len() != len(inds) {
		t.Fatalf("index holds %d of %d", x.Len(), len(inds))
	}
}

func fuzzParser(f *testing.F, parse func(io.Reader, Source) ([]Indicator, Stats, error), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		inds, st, err := parse(strings.NewReader(doc), Source{Feed: "f", Confidence: ConfidenceUnknown, Now: testNow})
		if err != nil {
			return
		}
		checkIndicators(t, inds, st)
	})
}

func FuzzParseCSV(f *testing.F) {
	fuzzParser(f, ParseCSV, testCSV, "203.0.113.1\nbad.example\n", "value,type\nx.example,domain\n")
}

func FuzzParseSTIX(f *testing.F) {
	fuzzParser(f, ParseSTIX, testBundle,
		`[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '1.2.3.4']","confidence":50}]`,
		`{"type":"indicator","pattern":"[url:value = 'http://a.example/']","valid_until":"2099-01-01T00:00:00Z"}`)
}

func FuzzParseMISP(f *testing.F) {
	fuzzParser(f, ParseMISP, testMISPEvent,
		`{"response":[{"Event":{"Attribute":[{"type":"ip-dst|port","value":"1.2.3.4|80","to_ids":true}]}}]}`)
}
