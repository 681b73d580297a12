package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// The company: who and what the background traffic is about.
var (
	users        = []string{"alice", "bob", "carol", "dave", "erin", "frank"}
	workstations = []string{"WS-001", "WS-002", "WS-003", "WS-004", "WS-005", "WS-006"}
	dcs          = []string{"DC01", "DC02"}
	linuxHosts   = []string{"web01", "app01", "db01"}
	webPaths     = []string{"/", "/index.html", "/shop/", "/shop/item.php?id=42", "/shop/cart", "/about", "/static/app.js", "/static/style.css", "/login", "/api/v1/products?page=2"}
	browsers     = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	}
	cloudCalls = [][2]string{
		{"ec2.amazonaws.com", "DescribeInstances"}, {"s3.amazonaws.com", "ListBuckets"}, {"iam.amazonaws.com", "ListUsers"},
		{"signin.amazonaws.com", "ConsoleLogin"}, {"sts.amazonaws.com", "AssumeRole"}, {"s3.amazonaws.com", "GetObject"},
	}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func internalAddr(r *rand.Rand) string { return fmt.Sprintf("10.0.20.%d", 10+r.IntN(200)) }

// background emits one record of ordinary traffic.
func (g *Generator) background(t time.Time, out *emitter) {
	r := g.r
	switch n := r.IntN(100); {
	case n < 30: // a visitor of the web shop
		ip := outsideAddr(r)
		status := 200
		if r.IntN(20) == 0 {
			status = 404
		}
		out.add(ip, apacheLine(t, ip, "GET", pick(r, webPaths), status, 200+r.IntN(40000), pick(r, browsers)))
	case n < 45: // a connection out through the firewall
		dst := outsideAddr(r)
		out.add("", asaLine(t, 6, "302013", fmt.Sprintf("Built outbound TCP connection %d for outside:%s/443 (%s/443) to inside:%s/%d (203.0.113.254/%d)",
			r.IntN(1<<30), dst, dst, internalAddr(r), 40000+r.IntN(20000), 40000+r.IntN(20000))))
	case n < 52: // the internet knocking
		src := outsideAddr(r)
		out.add(src, asaLine(t, 4, "106023", fmt.Sprintf(`Deny tcp src outside:%s/%d dst inside:10.0.10.5/%d by access-group "outside_in" [0x0, 0x0]`,
			src, 1024+r.IntN(60000), pick(r, []int{22, 23, 3389, 445, 8080}))))
	case n < 58: // administrators on the Linux servers
		h := pick(r, linuxHosts)
		switch r.IntN(3) {
		case 0:
			out.add("", authLine(t, h, "sshd", fmt.Sprintf("Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Qm9vbGVhbiBkZW1vIGtleQ", pick(r, users), internalAddr(r), 40000+r.IntN(20000))))
		case 1:
			out.add("", authLine(t, h, "sudo", fmt.Sprintf("%s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl status nginx", pick(r, users), pick(r, users))))
		default:
			out.add("", authLine(t, h, "CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"))
		}
	case n < 82: // Windows logons
		u, ws := pick(r, users), pick(r, workstations)
		switch m := r.IntN(10); {
		case m < 6:
			out.add("", winEvent(t, pick(r, dcs), "Security", "Microsoft-Windows-Security-Auditing", 4624,
				map[string]string{"TargetUserName": u, "TargetDomainName": "CORP", "LogonType": "3", "IpAddress": internalAddr(r), "WorkstationName": ws}))
		case m < 9:
			out.add("", winEvent(t, ws, "Security", "Microsoft-Windows-Security-Auditing", 4624,
				map[string]string{"TargetUserName": u, "TargetDomainName": "CORP", "LogonType": "2", "IpAddress": "-"}))
		default: // a typo
			out.add("", winEvent(t, pick(r, dcs), "Security", "Microsoft-Windows-Security-Auditing", 4625,
				map[string]string{"TargetUserName": u, "TargetDomainName": "CORP", "LogonType": "3", "IpAddress": internalAddr(r), "Status": "0xc000006d"}))
		}
	case n < 90: // remote workers on the VPN, each from their own city
		u := pick(r, users)
		ip := homeAddr(r, u)
		out.add(ip, asaLine(t, 6, "611101", fmt.Sprintf("User authentication succeeded: IP address: %s, Uname: %s", ip, u)))
		out.add(ip, asaLine(t, 6, "113039", fmt.Sprintf("Group <vpnusers> User <%s> IP <%s> AnyConnect parent session started.", u, ip)))
	default: // the cloud account
		u := pick(r, users)
		ip := homeAddr(r, u)
		c := pick(r, cloudCalls)
		out.add(ip, cloudTrail(t, ip, u, c[0], c[1], r.IntN(15) != 0))
	}
}
