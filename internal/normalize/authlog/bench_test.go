package authlog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

const (
	benchSSH  = `<38>Mar 10 11:59:00 bastion sshd[2411]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2`
	benchSudo = `<38>Mar 10 11:59:00 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`
	benchNone = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`
)

func BenchmarkAuthLog(b *testing.B) {
	b.Run("sshd", func(b *testing.B) { normtest.Bench(b, New(), benchSSH) })
	b.Run("sudo-split", func(b *testing.B) { normtest.Bench(b, New(), benchSudo) })
	b.Run("other", func(b *testing.B) { normtest.Bench(b, New(), benchNone) })
}
