package apptest

import (
	"fmt"
	"testing"
	"time"
)

// TestVendorIDsDoNotMergeEvents: a pipeline that put a vendor's id in
// event.id (Exchange Online's MessageTraceId, shared by a message's
// recipients) made two different records one id, and the store's replay
// check kept only the first. Both are stored, each with Vigil's own id,
// and the vendor's id is kept under the vendor's prefix.
func TestVendorIDsDoNotMergeEvents(t *testing.T) {
	v := startVigil(t, "")
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	trace := func(to string) string {
		return `{"Organization":"contoso.onmicrosoft.com","MessageId":"<` + m + `@mail.example.net>","Received":"2024-05-10T11:20:00Z",` +
			`"SenderAddress":"alice@example.net","RecipientAddress":"` + to + `","Subject":"Quarterly figures","Status":"Delivered",` +
			`"ToIP":null,"FromIP":"198.51.100.25","Size":48213,"MessageTraceId":"8d2f6a5e-1b3c-4d7e-9f10-2a3b4c5d6e7f"}`
	}
	body := trace("bob@contoso.com") + "\n" + trace("carol@contoso.com") + "\n"
	if code, resp := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body)); code != 200 {
		t.Fatalf("ingest: %d %s", code, resp)
	}
	rows, _ := v.waitFound(`vigil.pipeline:microsoft.exchange_online email.message_id:"<`+m+`@mail.example.net>"`, 2, 10*time.Second,
		"--from", "2024-01-01T00:00:00Z")
	ids := map[string]bool{}
	for _, r := range rows {
		ids[r.Text("event.id")] = true
		if got := r.Text("exchange_online.message_trace_id"); got != "8d2f6a5e-1b3c-4d7e-9f10-2a3b4c5d6e7f" {
			t.Errorf("exchange_online.message_trace_id %q", got)
		}
	}
	if len(rows) != 2 || len(ids) != 2 {
		t.Fatalf("%d events with %d ids, want 2 recipients with their own ids", len(rows), len(ids))
	}
}
