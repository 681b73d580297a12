package pipelines

import (
	"testing"

	jsonfmt "github.com/vigilsiem/vigil/internal/parse/json"
)

// An Event Hub message from Azure Monitor diagnostic settings carries its
// logs as {"records":[…]} (the resource log common schema); written here
// from Microsoft's schema documentation: an Entra ID sign-in failure, an
// Entra ID audit record, an Activity log record, and a Graph sign-in as an
// export forwards it. Each element, split as the pipeline splits it, is
// selected by its Azure pipeline and normalised.
func TestAzureEventHubBatch(t *testing.T) {
	batch := `{"records":[` +
		`{"time":"2024-05-10T11:37:47.0000000Z","resourceId":"/tenants/72f988bf-0000/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"SignInLogs","tenantId":"72f988bf-0000","resultType":"50126","resultSignature":"None","resultDescription":"Invalid username or password.","durationMs":0,"callerIpAddress":"198.51.100.23","correlationId":"c0","identity":"Jane Doe","Level":4,"location":"DE","properties":{"id":"s1","createdDateTime":"2024-05-10T11:37:47Z","userPrincipalName":"jdoe@contoso.com","userId":"u1","ipAddress":"198.51.100.23","status":{"errorCode":50126,"failureReason":"Invalid username or password."}}},` +
		`{"time":"2024-05-10T12:00:00.0000000Z","resourceId":"/tenants/72f988bf-0000/providers/Microsoft.aadiam","operationName":"Add user","operationVersion":"1.0","category":"AuditLogs","tenantId":"72f988bf-0000","resultSignature":"None","durationMs":0,"correlationId":"c1","Level":4,"properties":{"id":"Directory_1","category":"UserManagement","result":"success","activityDisplayName":"Add user","activityDateTime":"2024-05-10T12:00:00Z","loggedByService":"Core Directory","operationType":"Add","initiatedBy":{"user":{"id":"u9","userPrincipalName":"admin@contoso.com","ipAddress":"192.0.2.8"}},"targetResources":[{"id":"t1","type":"User","userPrincipalName":"newhire@contoso.com"}]}},` +
		`{"time":"2024-05-10T13:00:00.000Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE","category":"Administrative","resultType":"Failure","resultSignature":"Failed.Forbidden","durationMs":"120","callerIpAddress":"203.0.113.77","correlationId":"c2","identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"ops@contoso.com"}},"level":"Error","location":"global","properties":{"statusCode":"Forbidden"}},` +
		`{"id":"g1","createdDateTime":"2025-09-10T06:14:19Z","userPrincipalName":"alexw@contoso.com","userId":"u2","appDisplayName":"Graph Explorer","ipAddress":"203.0.113.78","status":{"errorCode":0}}` +
		`]}`
	parts, isBatch, err := jsonfmt.Split([]byte(batch), nil)
	if err != nil || !isBatch || len(parts) != 4 {
		t.Fatalf("Split: %d parts, batch %v, err %v", len(parts), isBatch, err)
	}
	want := []struct {
		pipeline string
		fields   map[string]string
	}{
		{"azure.diagnostic", map[string]string{"event.action": "Sign-in activity", "user.name": "jdoe@contoso.com",
			"source.ip": "198.51.100.23", "event.outcome": "failure", "event.code": "50126"}},
		{"azure.diagnostic", map[string]string{"event.action": "Add user", "user.name": "admin@contoso.com",
			"event.outcome": "success"}},
		{"azure.diagnostic", map[string]string{"event.action": "MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE",
			"source.ip": "203.0.113.77", "event.outcome": "failure", "user.name": "ops@contoso.com"}},
		{"azure.entra", map[string]string{"user.name": "alexw@contoso.com", "source.ip": "203.0.113.78",
			"event.outcome": "success"}},
	}
	for i, p := range parts {
		e, name := viaPipelines(t, string(p))
		if name != want[i].pipeline {
			t.Errorf("element %d: pipeline %q, want %q", i, name, want[i].pipeline)
			continue
		}
		got := fieldTexts(e)
		for k, v := range want[i].fields {
			if got[k] != v {
				t.Errorf("element %d: %s = %q, want %q", i, k, got[k], v)
			}
		}
	}
}
