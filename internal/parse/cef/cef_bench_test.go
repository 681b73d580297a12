package cef

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	`<134>Nov 23 10:20:30 fw01 CEF:0|Palo Alto Networks|PAN-OS|10.1.0|TRAFFIC|end|3|rt=Nov 23 2026 10:20:30 GMT deviceExternalId=0123456789 src=10.1.1.5 dst=93.184.216.34 sourceTranslatedAddress=203.0.113.7 destinationTranslatedAddress=93.184.216.34 cs1Label=Rule cs1=allow-web suser=corp\\alice duser= app=ssl cs3Label=Virtual System cs3=vsys1 cs4Label=Source Zone cs4=trust cs5Label=Destination Zone cs5=untrust deviceInboundInterface=ethernet1/2 deviceOutboundInterface=ethernet1/1 cnt=1 spt=51234 dpt=443 sourceTranslatedPort=40001 destinationTranslatedPort=443 proto=tcp act=allow in=1820 out=5433`,
	`CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=445 proto=TCP act=blocked msg=Worm stopped at the perimeter fname=worm.exe fsize=123456 rt=1764000000123`,
	`CEF:0|Microsoft|Microsoft Windows||Microsoft-Windows-Security-Auditing:4625|An account failed to log on.|Low|eventId=1013 externalId=4625 categorySignificance=/Informational/Warning categoryBehavior=/Authentication/Verify categoryOutcome=/Failure suser=alice sntdom=CORP shost=ws-17 src=10.0.0.17 dhost=dc01 outcome=Failure reason=Unknown user name or bad password.`,
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(Options{}), benchLines)
}
