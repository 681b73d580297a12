package json

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	`{"_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","ts":"2018-03-24T17:15:20.865716Z","uid":"CqKst53mF3det3eDV9","id.orig_h":"10.47.1.100","id.orig_p":41772,"id.resp_h":"10.0.0.100","id.resp_p":53,"proto":"udp","trans_id":36329,"rtt":0.0008699893951416016,"query":"ise.wrccdc.org","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["ise.wrccdc.cpp.edu","134.71.3.16"],"TTLs":[2230.0,41830.0],"rejected":false}`,
	`{"@timestamp":"2026-11-23T10:20:30.123Z","event":{"code":"4625","action":"logon-failed","outcome":"failure"},"source":{"ip":"10.0.0.17","port":51234},"user":{"name":"alice","domain":"CORP"},"host":{"name":"dc01"},"message":"An account failed to log on."}`,
	`{"level":"info","ts":1764000000.123,"caller":"server/handler.go:42","msg":"request served","method":"GET","path":"/api/v1/items","status":200,"duration_ms":3.2,"remote":"192.0.2.10:53422"}`,
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(), benchLines)
}
