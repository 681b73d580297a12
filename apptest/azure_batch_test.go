package apptest

import (
	"fmt"
	"testing"
	"time"
)

// TestAzureEventHubBatchOverHTTP posts an Azure Monitor Event Hub message
// ({"records":[…]}, the resource log schema) to the real binary's NDJSON
// endpoint: each element becomes an event of its own, normalised by the
// Azure pipeline, with its own bytes as event.original and its own id.
func TestAzureEventHubBatchOverHTTP(t *testing.T) {
	v := startVigil(t, "")
	marker := fmt.Sprintf("m%d", time.Now().UnixNano())
	signIn := func(user, ip string) string {
		return `{"time":"2024-05-10T11:37:47.0000000Z","resourceId":"/tenants/t1/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"SignInLogs","tenantId":"t1","resultType":"50126","resultDescription":"Invalid username or password.","callerIpAddress":"` + ip + `","correlationId":"c1","identity":"x","Level":4,"properties":{"userPrincipalName":"` + user + `","ipAddress":"` + ip + `","status":{"errorCode":50126}}}`
	}
	a, b := signIn(marker+"-a@contoso.com", "198.51.100.23"), signIn(marker+"-b@contoso.com", "198.51.100.24")
	body := `{"records":[` + a + `,` + b + `,` + a + `]}` + "\n"
	if code, resp := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body)); code != 200 {
		t.Fatalf("ingest: %d %s", code, resp)
	}
	rows, _ := v.waitFound(`vigil.pipeline:azure.diagnostic user.name:`+marker+`-a@contoso.com`, 2, 5*time.Second, "--from", "2024-05-01T00:00:00Z")
	if rows[0].Text("event.id") == rows[1].Text("event.id") {
		t.Errorf("repeated elements share event.id %s", rows[0].Text("event.id"))
	}
	for _, r := range rows {
		wantText(t, r, "event.original", a)
		wantText(t, r, "source.ip", "198.51.100.23")
		wantText(t, r, "event.outcome", "failure")
		wantText(t, r, "event.code", "50126")
	}
	rows, _ = v.waitFound(`vigil.pipeline:azure.diagnostic user.name:`+marker+`-b@contoso.com`, 1, 5*time.Second, "--from", "2024-05-01T00:00:00Z")
	wantText(t, rows[0], "event.original", b)
	wantText(t, rows[0], "event.action", "Sign-in activity")
}
