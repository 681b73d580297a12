package windows

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// FuzzWindowsText feeds syslog records to the normaliser: Snare and
// provider-tagged text never panic, whatever their tokens and labels.
func FuzzWindowsText(f *testing.F) {
	normtest.Fuzz(f, New(), []string{
		snare4625("\t"),
		snare4625("#011"),
		"<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing[724]: 4625: " + flat(msg4625),
		"<134>May 10 11:37:47 DC01 Security-Auditing: 4688: " + msg4688,
		"<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing: " + flat(msg4768),
		"MSWinEventLog\t1\tSecurity\t1\tx\t4732\tMicrosoft-Windows-Security-Auditing\tN/A\tN/A\tSuccess Audit\tDC01\tx\t\t" + flat(msg4732),
		"<134>May 10 11:37:47 DC01 Microsoft-Windows-Eventlog: 1102: Subject: Account Name: : : Group: Member: Security ID:",
		"MSWinEventLog" + strings.Repeat("\t", 14),
	})
}
