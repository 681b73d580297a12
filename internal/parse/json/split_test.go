package json

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse"
)

// azureBatch is an Event Hub message as Azure Monitor diagnostic settings
// write it (the resource log common schema: {"records":[…]}), written from
// Microsoft's schema documentation: an Entra ID sign-in, an Activity log
// record, and a repeat of the first.
const signIn = `{"time":"2024-05-10T11:37:47.0000000Z","resourceId":"/tenants/t1/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"SignInLogs","resultType":"50126","callerIpAddress":"198.51.100.23","properties":{"userPrincipalName":"jdoe@contoso.com","status":{"errorCode":50126}}}`
const activity = `{ "time": "2024-05-10T13:00:00.000Z", "resourceId": "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1", "operationName": "MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE", "category": "Administrative", "resultType": "Failure", "callerIpAddress": "203.0.113.77" }`

var azureBatch = "{\n  \"records\": [\n    " + signIn + ",\n    " + activity + ",\n" + signIn + "\n  ]\n}\n"

func TestSplitAzureBatch(t *testing.T) {
	parts, batch, err := Split([]byte(azureBatch), nil)
	if err != nil || !batch {
		t.Fatalf("Split: batch %v, err %v", batch, err)
	}
	want := []string{signIn, activity, signIn}
	if len(parts) != len(want) {
		t.Fatalf("%d parts, want %d", len(parts), len(want))
	}
	for i, p := range parts {
		if string(p) != want[i] {
			t.Errorf("part %d = %s, want exactly %s", i, p, want[i])
		}
	}
}

func TestSplitCloudTrailAndEmpty(t *testing.T) {
	parts, batch, err := Split([]byte(`{"Records":[{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"CreateUser"}]}`), nil)
	if err != nil || !batch || len(parts) != 1 {
		t.Fatalf("CloudTrail: %d parts, batch %v, err %v", len(parts), batch, err)
	}
	parts, batch, err = Split([]byte(`{"records":[]}`), nil)
	if err != nil || !batch || len(parts) != 0 {
		t.Fatalf("empty batch: %d parts, batch %v, err %v", len(parts), batch, err)
	}
}

// Records that are not batches are left whole, to be parsed as before.
func TestSplitNotBatch(t *testing.T) {
	for _, in := range []string{
		``, `[1,2]`, `[{"a":1},"x"]`, `[{"a":1}] x`, `[{"a":1}`, `"records"`, `{}`, `{"message":"x"}`,
		`{"records":[{"a":1}],"other":2}`, // a member besides records: a record of its own
		`{"other":2,"records":[{"a":1}]}`,
		`{"records":[1,2]}`, `{"records":[{"a":1},"x"]}`, `{"records":{"a":1}}`,
		`{"records":[{"a":1}`, `{"records":[{"a":1}]} trailing`, `{"records":[{"a":}]}`,
		`{"records":[],}`, `{"entries":[{"a":1}],"response_metadata":{},}`, `[{"a":1},]`,
		`{"rec\u006frds":[{"a":1}]}`, `{"RECORDS":[{"a":1}]}`,
		`<13>Jan  1 00:00:00 h {"records":[{"a":1}]}`,
	} {
		dst := [][]byte{[]byte("kept")}
		parts, batch, err := Split([]byte(in), dst)
		if batch || err != nil || len(parts) != 1 || string(parts[0]) != "kept" {
			t.Errorf("Split(%q) = %d parts, batch %v, err %v; want it left whole", in, len(parts), batch, err)
		}
	}
}

func TestSplitBound(t *testing.T) {
	build := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"records":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"a":1}`)
		}
		b.WriteString(`]}`)
		return b.Bytes()
	}
	parts, batch, err := Split(build(MaxSplitRecords), nil)
	if err != nil || !batch || len(parts) != MaxSplitRecords {
		t.Fatalf("at the bound: %d parts, batch %v, err %v", len(parts), batch, err)
	}
	parts, batch, err = Split(build(MaxSplitRecords+1), nil)
	if !batch || !errors.Is(err, ErrTooManyRecords) || !errors.Is(err, parse.ErrFormat) || len(parts) != 0 {
		t.Fatalf("over the bound: %d parts, batch %v, err %v", len(parts), batch, err)
	}
	if !strings.Contains(err.Error(), "5001 elements") {
		t.Errorf("error %q does not say how many elements", err)
	}
}

// FuzzSplit: a record Split takes apart is valid JSON (encoding/json
// agrees), each part is either bytes of the record, a narrowed copy that is
// itself valid JSON, or a CloudWatch message; a records/Records batch's
// parts are the elements' exact bytes, as encoding/json finds them.
func FuzzSplit(f *testing.F) {
	f.Add([]byte(azureBatch))
	f.Add([]byte(`{"records":[]}`))
	f.Add([]byte(`{"Records":[{"a":[1,{"b":null}]} , {"c":"\u00e9"}]}`))
	f.Add([]byte(`{"records":[{"a":1}],"x":1}`))
	f.Add([]byte(auth0Page))
	f.Add([]byte(cloudWatchPayload))
	f.Add([]byte(securityHubEvent))
	f.Add([]byte(nsgRecord))
	f.Add([]byte(`{"records":[` + nsgRecord + `,` + nsgRecord + `]}`))
	f.Add([]byte(osquerySnapshot))
	f.Add([]byte(osqueryBatch))
	f.Add([]byte(vnetRecord))
	f.Add([]byte(`{"records":[` + vnetRecord + `]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		parts, batch, err := Split(data, nil)
		if err != nil {
			if !batch || !errors.Is(err, ErrTooManyRecords) || len(parts) != 0 {
				t.Fatalf("error %v with batch %v and %d parts", err, batch, len(parts))
			}
			return
		}
		if !batch {
			if len(parts) != 0 {
				t.Fatalf("not a batch but %d parts", len(parts))
			}
			return
		}
		if !stdjson.Valid(data) {
			t.Fatalf("split %q, which encoding/json rejects", data)
		}
		for i, p := range parts {
			if !bytes.Contains(data, p) && !stdjson.Valid(p) && !bytes.Contains(data, []byte(`"logEvents"`)) {
				t.Fatalf("part %d %q is neither bytes of the record nor JSON", i, p)
			}
		}
		var doc map[string][]stdjson.RawMessage
		if stdjson.Unmarshal(data, &doc) != nil || len(doc) != 1 || bytes.Contains(data, []byte(`"flowTuples"`)) {
			return
		}
		for k, elems := range doc {
			if k != "records" && k != "Records" {
				t.Fatalf("split on member %q", k)
			}
			if len(elems) != len(parts) {
				return // an element was a container
			}
			for i, el := range elems {
				if !bytes.Equal(bytes.TrimSpace(el), parts[i]) && !bytes.Contains(el, []byte(`"logEvents"`)) {
					t.Fatalf("part %d = %s, encoding/json's element %s", i, parts[i], el)
				}
			}
		}
	})
}

// BenchmarkSplit measures what every json/auto record pays before it is
// parsed (NotBatch: the test that it is no batch; NotBatchTimeFirst: one
// whose first key, time, makes it look for container keys) and what a
// batch costs to split (Batch: the Azure message of three records; the
// vendor containers).
func BenchmarkSplit(b *testing.B) {
	for _, c := range []struct{ name, in string }{{"NotBatch", benchLines[1]}, {"NotBatchTimeFirst", signIn}, {"Batch", azureBatch},
		{"Array", auth0Page}, {"CloudWatch", cloudWatchPayload}, {"NSG", nsgRecord}, {"SecurityHub", securityHubEvent}} {
		b.Run(c.name, func(b *testing.B) {
			data := []byte(c.in)
			dst := make([][]byte, 0, 8)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				dst, _, _ = Split(data, dst[:0])
			}
		})
	}
}
