package authlog

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func TestAuthLog(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	const h = "<38>Mar 10 11:59:00 bastion "
	// sshd logins.
	f(h+"sshd[2411]: Accepted password for alice from 198.51.100.7 port 51514 ssh2",
		map[string]string{"event.action": "ssh-login", "event.outcome": "success", "event.category": "authentication", "event.type": "start",
			"user.name": "alice", "source.ip": "198.51.100.7", "source.port": "51514", "system.auth.ssh.method": "password",
			"system.auth.ssh.event": "Accepted", "host.name": "bastion", "process.name": "sshd"})
	f(h+"sshd[2411]: Accepted publickey for git from 2001:db8::5 port 40022 ssh2: ED25519 SHA256:AbCdEf0123456789",
		map[string]string{"system.auth.ssh.method": "publickey", "system.auth.ssh.signature": "ED25519 SHA256:AbCdEf0123456789",
			"source.ip": "2001:db8::5", "user.name": "git"})
	f(h+"sshd[2411]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2",
		map[string]string{"event.outcome": "failure", "user.name": "admin", "system.auth.ssh.invalid_user": "true", "source.port": "40000"})
	f(h+"sshd[2411]: Failed password for root from 198.51.100.7 port 40000 ssh2",
		map[string]string{"event.outcome": "failure", "user.name": "root", "system.auth.ssh.invalid_user": ""})
	f(h+"sshd[2411]: Failed none for invalid user  from 198.51.100.7 port 40000 ssh2",
		map[string]string{"event.outcome": "failure", "user.name": "", "system.auth.ssh.method": "none"})
	f(h+"sshd[2411]: Failed keyboard-interactive/pam for bob from 10.0.0.9 port 1022 ssh2",
		map[string]string{"system.auth.ssh.method": "keyboard-interactive/pam", "user.name": "bob"})
	f(h+"sshd[2411]: message repeated 3 times: [ Failed password for root from 198.51.100.7 port 40000 ssh2]",
		map[string]string{"event.action": "ssh-login", "event.outcome": "failure", "system.auth.repeated": "3", "user.name": "root"})
	f(h+"sshd-session[77]: Accepted publickey for ops from 10.0.0.2 port 5000 ssh2: RSA SHA256:x",
		map[string]string{"event.outcome": "success", "user.name": "ops"})
	// Invalid users, disconnects, failures.
	f(h+"sshd[2411]: Invalid user oracle from 198.51.100.7 port 50002",
		map[string]string{"event.action": "ssh-invalid-user", "event.outcome": "failure", "user.name": "oracle", "source.ip": "198.51.100.7", "source.port": "50002"})
	f(h+"sshd[2411]: input_userauth_request: invalid user oracle [preauth]",
		map[string]string{"event.action": "ssh-invalid-user", "user.name": "oracle", "source.ip": ""})
	f(h+"sshd[2411]: Connection closed by authenticating user root 198.51.100.7 port 40000 [preauth]",
		map[string]string{"event.action": "ssh-disconnect", "user.name": "root", "source.ip": "198.51.100.7", "source.port": "40000"})
	f(h+"sshd[2411]: Connection closed by 198.51.100.7 [preauth]",
		map[string]string{"event.action": "ssh-disconnect", "source.ip": "198.51.100.7", "user.name": ""})
	f(h+"sshd[2411]: Disconnected from user alice 198.51.100.7 port 51514",
		map[string]string{"event.action": "ssh-disconnect", "user.name": "alice", "source.port": "51514", "event.outcome": "success"})
	// A client that leaves while authenticating, or as an invalid user,
	// has failed to log in (brute force leaves these, not "Failed").
	f(h+"sshd[2411]: Connection closed by invalid user admin 198.51.100.7 port 40000 [preauth]",
		map[string]string{"event.action": "ssh-disconnect", "user.name": "admin", "source.ip": "198.51.100.7", "event.outcome": "failure"})
	f(h+"sshd-session[2411]: Disconnected from authenticating user root 198.51.100.7 port 40000 [preauth]",
		map[string]string{"event.action": "ssh-disconnect", "user.name": "root", "source.port": "40000", "event.outcome": "failure"})
	f(h+"sshd[2411]: Connection reset by 198.51.100.7 port 40000 [preauth]",
		map[string]string{"event.action": "ssh-disconnect", "source.ip": "198.51.100.7", "event.outcome": ""})
	// sshd's PAM conversation failing (UsePAM, keyboard-interactive).
	f(h+"sshd[2411]: error: PAM: Authentication failure for illegal user admin from 198.51.100.7",
		map[string]string{"event.action": "ssh-login", "event.outcome": "failure", "user.name": "admin", "source.ip": "198.51.100.7",
			"system.auth.ssh.invalid_user": "true", "event.category": "authentication"})
	f(h+"sshd[2411]: error: PAM: Authentication failure for root from host.example.net",
		map[string]string{"event.action": "ssh-login", "event.outcome": "failure", "user.name": "root", "source.domain": "host.example.net"})
	// Pre-authentication refusals.
	f(h+"sshd[2411]: drop connection #10 from [198.51.100.7]:40000 on [10.0.0.1]:22 past MaxStartups",
		map[string]string{"event.action": "ssh-maxstartups-drop", "event.outcome": "failure", "event.category": "network",
			"source.ip": "198.51.100.7", "source.port": "40000", "destination.ip": "10.0.0.1", "destination.port": "22"})
	f(h+"sshd[2411]: drop connection #3 from [2001:db8::5]:40022 on [2001:db8::1]:22 penalty: failed authentication",
		map[string]string{"event.action": "ssh-penalty-drop", "event.outcome": "failure", "source.ip": "2001:db8::5", "destination.port": "22",
			"event.reason": "failed authentication"})
	f(h+"sshd[2411]: error: kex_exchange_identification: Connection closed by remote host",
		map[string]string{"event.action": "ssh-kex-failed", "event.outcome": "failure", "event.category": "network",
			"event.reason": "Connection closed by remote host"})
	f(h+"sshd[2411]: kex_exchange_identification: read: Connection reset by peer",
		map[string]string{"event.action": "ssh-kex-failed", "event.reason": "read: Connection reset by peer"})
	f(h+"sshd[2411]: Received disconnect from 198.51.100.7 port 40000:11: Bye Bye [preauth]",
		map[string]string{"event.action": "ssh-disconnect", "source.ip": "198.51.100.7", "source.port": "40000", "event.reason": "Bye Bye"})
	f(h+"sshd[2411]: Received disconnect from 103.99.0.122: 11: disconnected by user",
		map[string]string{"source.ip": "103.99.0.122", "event.reason": "disconnected by user"})
	f(h+"sshd[2411]: Disconnecting: Too many authentication failures for admin [preauth]",
		map[string]string{"event.action": "ssh-too-many-failures", "event.outcome": "failure", "user.name": "admin"})
	f(h+"sshd[2411]: error: maximum authentication attempts exceeded for invalid user admin from 198.51.100.7 port 40000 ssh2 [preauth]",
		map[string]string{"event.action": "ssh-too-many-failures", "user.name": "admin", "source.ip": "198.51.100.7", "source.port": "40000"})
	f(h+"sshd[2411]: Disconnecting authenticating user root 198.51.100.7 port 40000: Too many authentication failures [preauth]",
		map[string]string{"event.action": "ssh-too-many-failures", "user.name": "root", "source.ip": "198.51.100.7"})
	f(h+"sshd[2411]: Did not receive identification string from 198.51.100.7 port 40000",
		map[string]string{"event.action": "ssh-no-identification", "source.ip": "198.51.100.7"})
	f(h+"sshd[2411]: Connection from 198.51.100.7 port 40000 on 10.0.0.1 port 22 rdomain \"\"",
		map[string]string{"event.action": "ssh-connection", "destination.ip": "10.0.0.1", "destination.port": "22", "source.port": "40000"})
	f(h+"sshd[2411]: reverse mapping checking getaddrinfo for ns.example.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
		map[string]string{"event.action": "ssh-reverse-mapping-failed", "source.ip": "173.234.31.186", "source.domain": "ns.example.com"})
	f(h+"sshd[2411]: User bob from 198.51.100.7 not allowed because not listed in AllowUsers",
		map[string]string{"event.action": "ssh-user-not-allowed", "user.name": "bob", "event.reason": "not listed in AllowUsers"})
	// PAM, including lines the auto parser split into key=value fields.
	f(h+"sshd[2411]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root",
		map[string]string{"event.action": "pam-authentication-failure", "event.outcome": "failure", "user.name": "root", "source.ip": "198.51.100.7",
			"system.auth.pam.module": "pam_unix", "system.auth.pam.service": "sshd", "system.auth.pam.type": "auth", "system.auth.pam.tty": "ssh",
			"rhost": "", "uid": "", "tty": "", "user": "",
			"message": "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root"})
	f(h+"sshd[2411]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root",
		map[string]string{"event.action": "pam-authentication-failure", "user.name": "root", "source.ip": "198.51.100.7", "rhost": ""})
	f(h+"sshd[2411]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
		map[string]string{"event.action": "session-opened", "event.category": "session", "user.name": "alice", "user.id": "1000"})
	f(h+"sshd[2411]: pam_unix(sshd:session): session closed for user alice",
		map[string]string{"event.action": "session-closed", "user.name": "alice"})
	f("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
		map[string]string{"event.action": "pam-authentication-failure", "source.ip": "218.188.2.4", "system.auth.pam.service": "sshd"})
	f("Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root",
		map[string]string{"source.domain": "220-135-151-1.hinet-ip.hinet.net", "user.name": "root"})
	// sudo.
	f(h+"sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
		map[string]string{"event.action": "sudo-command", "event.outcome": "success", "event.category": "process", "event.type": "start",
			"user.name": "alice", "user.effective.name": "root", "process.command_line": "/usr/bin/cat /etc/shadow",
			"process.executable": "/usr/bin/cat", "system.auth.sudo.tty": "pts/0", "system.auth.sudo.pwd": "/home/alice",
			"TTY": "", "COMMAND": "", "USER": "", "PWD": ""})
	f(h+"sudo:      bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
		map[string]string{"event.outcome": "failure", "error.message": "3 incorrect password attempts", "user.name": "bob", "process.command_line": "/bin/bash"})
	f(h+"sudo:      eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/usr/bin/id",
		map[string]string{"event.outcome": "failure", "error.message": "user NOT in sudoers", "user.name": "eve"})
	f(h+"sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
		map[string]string{"event.action": "session-opened", "user.name": "alice", "user.effective.name": "root"})
	f(h+"sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob",
		map[string]string{"event.action": "pam-authentication-failure", "user.name": "bob", "user.effective.name": "", "source.ip": ""})
	// su.
	f(h+"su[900]: pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)",
		map[string]string{"event.action": "session-opened", "user.name": "alice", "user.effective.name": "root"})
	f(h+"su[900]: pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root",
		map[string]string{"event.outcome": "failure", "user.name": "alice", "user.effective.name": "root"})
	f(h+"su[900]: FAILED SU (to root) alice on pts/0",
		map[string]string{"event.action": "su", "event.outcome": "failure", "user.name": "alice", "user.effective.name": "root", "system.auth.su.tty": "pts/0"})
	f(h+"su[900]: (to root) alice on pts/0",
		map[string]string{"event.action": "su", "event.outcome": "success", "user.name": "alice", "user.effective.name": "root"})
	f(h+"su[900]: Successful su for root by alice",
		map[string]string{"event.outcome": "success", "user.name": "alice", "user.effective.name": "root"})
	f(h+"su[900]: - pts/0 alice:root",
		map[string]string{"event.outcome": "failure", "user.name": "alice", "user.effective.name": "root"})
	f("Jun 14 04:05:06 combo su(pam_unix)[945]: session opened for user cyrus by (uid=0)",
		map[string]string{"event.action": "session-opened", "user.name": "cyrus", "system.auth.pam.service": "su"})
	// login.
	f("Jun 14 04:05:06 combo login[2000]: FAILED LOGIN 1 FROM 10.0.0.9 FOR root, Authentication failure",
		map[string]string{"event.action": "login", "event.outcome": "failure", "user.name": "root", "source.ip": "10.0.0.9", "event.reason": "Authentication failure"})
	f("Jun 14 04:05:06 combo login[2000]: ROOT LOGIN ON tty2",
		map[string]string{"event.outcome": "success", "user.name": "root", "system.auth.login.tty": "tty2"})
	// cron jobs, and systemd's sessions whatever the tag.
	f(h+"CRON[29298]: (user335) CMD (/usr/local/bin/backup.sh --incremental)",
		map[string]string{"event.action": "cron-command", "user.name": "user335", "process.command_line": "/usr/local/bin/backup.sh --incremental"})
	f(h+"crond[2]: (root) CMD (run-parts --report /etc/cron.hourly; X=1 y)",
		map[string]string{"user.name": "root", "process.command_line": "run-parts --report /etc/cron.hourly; X=1 y", "X": ""})
	f(h+"systemd[1]: Started Session 4 of user alice.",
		map[string]string{"event.action": "session-started", "user.name": "alice", "event.category": "session", "event.type": "start"})
	f(h+"systemd-logind[702]: New session 12 of user bob.",
		map[string]string{"event.action": "session-started", "user.name": "bob"})
}

func TestAuthLogIgnores(t *testing.T) {
	n := New()
	for _, line := range []string{
		"<38>Mar 10 11:59:00 bastion sshd[1]: Server listening on 0.0.0.0 port 22.",
		"<38>Mar 10 11:59:00 bastion sshd[1]: fatal: Write failed: Connection reset by peer [preauth]",
		"<38>Mar 10 11:59:00 bastion sudo: alice",
		"<38>Mar 10 11:59:00 bastion cron[1]: pam_unix(cron:session): session opened for user root by (uid=0)",
		"<38>Mar 10 11:59:00 bastion systemd[1]: Started session 4.",
		"<38>Mar 10 11:59:00 bastion su[1]: something else",
		"<38>Mar 10 11:59:00 bastion CRON[1]: (root) MAIL (mailed 1 byte of output)",
		"<38>Mar 10 11:59:00 bastion systemd[1]: Started Session of user.",
	} {
		e := normtest.Parse(t, line)
		if n.Normalize(e) {
			t.Errorf("recognised %q: %s", line, normtest.Dump(e))
		}
	}
}

// TestAuthLogLoghubOpenSSH normalises loghub's OpenSSH sample and checks
// each line's action against the template loghub assigned it.
func TestAuthLogLoghubOpenSSH(t *testing.T) {
	dir := testutil.SharedData(t, "loghub/OpenSSH")
	raw, err := os.ReadFile(filepath.Join(dir, "OpenSSH_2k.log"))
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(filepath.Join(dir, "OpenSSH_2k.log_structured.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) != len(rows)-1 {
		t.Fatalf("%d lines, %d structured rows", len(lines), len(rows)-1)
	}
	want := map[string]string{
		"E1": "ssh-login", "E2": "ssh-disconnect", "E3": "ssh-no-identification", "E4": "ssh-too-many-failures",
		"E5": "ssh-too-many-failures", "E6": "ssh-disconnect", "E7": "ssh-disconnect", "E8": "ssh-login", "E9": "ssh-login",
		"E10": "ssh-login", "E11": "", "E12": "ssh-invalid-user", "E13": "ssh-invalid-user", "E14": "ssh-login",
		"E15": "pam-authentication-failure", "E16": "pam-authentication-failure", "E17": "pam-authentication-failure",
		"E18": "", "E19": "pam-authentication-failure", "E20": "pam-authentication-failure", "E21": "pam-user-unknown",
		"E22": "session-closed", "E23": "session-opened", "E24": "ssh-disconnect", "E25": "ssh-disconnect", "E26": "ssh-disconnect",
		"E27": "ssh-reverse-mapping-failed",
	}
	n := New()
	withIP := 0
	for i, line := range lines {
		id := rows[i+1][7]
		w, known := want[id]
		if !known {
			t.Fatalf("line %d: template %s not in the table", i+1, id)
		}
		e := normtest.Parse(t, line)
		got := n.Normalize(e)
		if got != (w != "") || e.GetString("event.action") != w {
			t.Fatalf("line %d (%s): recognised %v action %q, want %q: %s", i+1, id, got, e.GetString("event.action"), w, line)
		}
		if strings.Contains(rows[i+1][8], "from <*>") || strings.Contains(rows[i+1][8], "rhost=<*>") {
			if e.GetString("source.ip") == "" && e.GetString("source.domain") == "" {
				t.Fatalf("line %d (%s): no source address: %s", i+1, id, normtest.Dump(e))
			}
			withIP++
		}
	}
	if withIP < 1000 {
		t.Errorf("only %d lines with a source address", withIP)
	}
}

// TestAuthLogLoghubLinux normalises the PAM lines of loghub's Linux
// sample (sshd, su, login, gdm through pam_unix).
func TestAuthLogLoghubLinux(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.SharedData(t, "loghub/Linux"), "Linux_2k.log"))
	if err != nil {
		t.Fatal(err)
	}
	n := New()
	seen := 0
	for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		pam := strings.Contains(line, " sshd(pam_unix)[") || strings.Contains(line, " su(pam_unix)[")
		e := normtest.Parse(t, line)
		got := n.Normalize(e)
		if pam && !got && !strings.Contains(line, "check pass") {
			t.Fatalf("line %d not recognised: %s", i+1, line)
		}
		if got {
			seen++
			if e.GetString("event.outcome") == "" {
				t.Fatalf("line %d: no outcome: %s", i+1, normtest.Dump(e))
			}
		}
	}
	if seen < 800 {
		t.Errorf("recognised %d lines", seen)
	}
}

// TestAuthLogJournal maps the auth lines of systemd journal entries
// (journalctl -o json): the program is SYSLOG_IDENTIFIER and the line
// MESSAGE, before the journald pipeline renames the trusted fields.
func TestAuthLogJournal(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	const pre = `{"__REALTIME_TIMESTAMP":"1715341067123456","_HOSTNAME":"web1","PRIORITY":"6","_PID":"2345",`
	f(pre+`"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Accepted publickey for alice from 198.51.100.7 port 51514 ssh2: ED25519 SHA256:AbC"}`,
		map[string]string{"event.action": "ssh-login", "event.outcome": "success", "user.name": "alice",
			"source.ip": "198.51.100.7", "source.port": "51514", "event.category": "authentication"})
	f(pre+`"SYSLOG_IDENTIFIER":"sudo","MESSAGE":"    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow"}`,
		map[string]string{"event.action": "sudo-command", "user.name": "alice", "user.effective.name": "root",
			"process.command_line": "/usr/bin/cat /etc/shadow"})
	f(pre+`"SYSLOG_IDENTIFIER":"su","MESSAGE":"pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)"}`,
		map[string]string{"user.name": "alice", "user.effective.name": "root"})
	// Behind a forwarder's syslog header: the header's program is the forwarder.
	f(`<14>May 10 11:37:47 fwd-01 connector: `+pre+`"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Failed password for root from 198.51.100.5 port 51234 ssh2"}`,
		map[string]string{"event.action": "ssh-login", "event.outcome": "failure", "user.name": "root", "source.ip": "198.51.100.5"})
	f(pre+`"SYSLOG_IDENTIFIER":"sshd-session","MESSAGE":"Invalid user oracle from 203.0.113.9 port 50002"}`,
		map[string]string{"event.action": "ssh-invalid-user", "event.outcome": "failure", "user.name": "oracle", "source.ip": "203.0.113.9"})
	for _, line := range []string{
		pre + `"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Server listening on 0.0.0.0 port 22."}`,
		pre + `"SYSLOG_IDENTIFIER":"kernel","MESSAGE":"Accepted password for x from 10.0.0.1 port 1 ssh2"}`,
		`{"SYSLOG_IDENTIFIER":"sshd"}`,
	} {
		if e := normtest.Parse(t, line); n.Normalize(e) {
			t.Errorf("recognised %q: %s", line, normtest.Dump(e))
		}
	}
}
