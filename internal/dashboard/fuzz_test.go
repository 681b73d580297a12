package dashboard

import (
	"encoding/json"
	"testing"
)

// Any JSON body: decoding and Validate never panic, and a dashboard that
// validates survives its own JSON (what the store keeps and export writes).
func FuzzDashboardValidate(f *testing.F) {
	for _, d := range Builtins() {
		b, _ := json.Marshal(d)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"a","title":"t","panels":[{"title":"x","query":"a | stats count() by b","chart":"map","width":3}]}`))
	f.Add([]byte(`{"id":"a","title":"t","panels":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Dashboard
		if json.Unmarshal(data, &d) != nil {
			return
		}
		if Validate(&d) != nil {
			return
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Dashboard
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := Validate(&back); err != nil {
			t.Fatalf("valid dashboard invalid after a round trip: %v\n%s", err, b)
		}
	})
}
