package sigma_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/hunt"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestWindowsDataFidelity runs SigmaHQ rules on EVTX files whose events
// they are about, decoded as `vigil hunt` and the EVTX source decode them:
//
//   - Application-log rules (MSSQL, ESENT, MSExchange) read the unnamed <Data>
//     elements as Data: they fire, and the `not Data|contains` filter of
//     the external-logon rule sees the client address and keeps it quiet
//     on logons from the internal network;
//   - Defender's event data names with spaces (New Value) match the
//     space-free names rules use (NewValue).
func TestWindowsDataFidelity(t *testing.T) {
	rules := testutil.SharedData(t, "sigma/rules/windows/builtin")
	evtxDir := testutil.SharedData(t, "evtx/EVTX-to-MITRE-Attack")
	cases := []struct {
		rule, evtx string
		want       int
	}{
		{"application/mssqlserver/win_mssql_add_sysadmin_account.yml",
			"TA0003-Persistence/T1098.xxx-Account manipulation/ID33205-SQL Server member added to server role.evtx", 1},
		{"application/mssqlserver/win_mssql_xp_cmdshell_change.yml",
			"TA0003-Persistence/T1505.001-SQL Stored Procedures/ID15457-SQL Server CMDshell enabled.evtx", 1},
		{"application/mssqlserver/win_mssql_disable_audit_settings.yml",
			"TA0005-Defense Evasion/T1562.002-Disable Windows Event Logging/ID33205-SQL Server audit object deleted.evtx", 2},
		{"application/mssqlserver/win_mssql_disable_audit_settings.yml",
			"TA0005-Defense Evasion/T1562.002-Disable Windows Event Logging/ID33205-SQL Server  audit object disabled.evtx", 1},
		{"application/esent/win_esent_ntdsutil_abuse.yml",
			"TA0006-Credential Access/T1003-Credential dumping/ID325-327-IFM created - ESENT.evtx", 4},
		{"application/mssqlserver/win_mssql_failed_logon.yml",
			"TA0006-Credential Access/T1110.xxx-Brut force/ID18456-SQL Server failed login because only Windows auth.evtx", 6},
		// The same logons come from 10.x: not from an external network.
		{"application/mssqlserver/win_mssql_failed_logon_from_external_network.yml",
			"TA0006-Credential Access/T1110.xxx-Brut force/ID18456-SQL Server failed login because only Windows auth.evtx", 0},
		{"msexchange/win_exchange_transportagent_failed.yml",
			"TA0003-Persistence/T1505-Server Software Component/ID6-Failed to install an Exchange transport agent.evtx", 2},
		{"windefend/win_defender_config_change_exclusion_added.yml",
			"TA0005-Defense Evasion/T1562.001-Impair Defenses-Disable or Modify tool/ID5007-Defender threat exclusion (native).evtx", 3},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.rule)+"/"+filepath.Base(c.evtx), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(rules, c.rule))
			if err != nil {
				t.Fatal(err)
			}
			r, err := sigma.ParseRule(b)
			if err != nil {
				t.Fatal(err)
			}
			comp := sigma.NewCompiler(sigma.Config{})
			cr, err := comp.Compile(r)
			if err != nil {
				t.Fatal(err)
			}
			rs := comp.NewRuleSet([]*sigma.Compiled{cr})
			f, err := os.Open(filepath.Join(evtxDir, c.evtx))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := 0
			err = hunt.ReadEVTX(f, c.evtx, func(e *event.Event) error {
				got += len(rs.Match(e, nil))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s fired %d times on %s, want %d", r.Title, got, c.evtx, c.want)
			}
		})
	}
}
