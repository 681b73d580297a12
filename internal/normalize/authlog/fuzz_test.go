package authlog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

func FuzzAuthLog(f *testing.F) {
	normtest.Fuzz(f, New(), []string{
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Accepted publickey for git from 2001:db8::5 port 40022 ssh2: ED25519 SHA256:x",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: message repeated 3 times: [ Failed password for root from 198.51.100.7 port 40000 ssh2]",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Connection closed by authenticating user root 198.51.100.7 port 40000 [preauth]",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Received disconnect from 198.51.100.7 port 40000:11: Bye Bye [preauth]",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root",
		"<38>Mar 10 11:59:00 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
		"<38>Mar 10 11:59:00 bastion su[900]: FAILED SU (to root) alice on pts/0",
		"Jun 14 04:05:06 combo login[2000]: FAILED LOGIN 1 FROM 10.0.0.9 FOR root, Authentication failure",
		"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
	})
}
