package bench

import (
	"strconv"
	"time"
)

// Generator produces a realistic mix of records, a quarter each of RFC 3164
// (sshd, sudo, cron, kernel), RFC 5424 (applications with structured data),
// CEF (firewall traffic and threat events) and JSON (web and auth events).
// Field cardinalities follow a mid-sized network: 500 hosts, 2,000 users,
// ~60k source addresses in a few /16s plus public space, 1,000 ports; as in
// real logs, a few hosts, users and addresses produce most of the records
// (values drawn with a cubic skew towards the first of their range), while
// ephemeral source ports, pids and request ids are uniform.
//
// Record i is a pure function of i (and the seed), so two runs send the same
// bytes. Timestamps spread Events records evenly over Day. Every millionth
// record (i % 1e6 == 777) carries the token "rarebenchterm<i/1e6>", and
// about ten records of any run (see HasRareTerm) the rare term RareTerm.
type Generator struct {
	Day    time.Time
	Events int
}

// RareTerm is the token the rare-term query looks for: about ten records of
// any run carry it (HasRareTerm), whatever the run's size, so the query
// measures finding a needle, not reading a page of hits.
const RareTerm = "x9kq2vbz"

// rareTermRecords is how many records of a run carry RareTerm.
const rareTermRecords = 10

// HasRareTerm says whether record i of the run carries RareTerm: a JSON
// record (i%4 == 3, where the term is a field of its own and parses the same
// in every store) near the middle of each tenth of the run; in runs of under
// 40 records, every fourth.
func (g *Generator) HasRareTerm(i int) bool {
	step := max((g.Events/rareTermRecords)&^3, 4)
	return i%step == (step/2)&^3+3
}

// CIDR is the network of the CIDR query: about a twelfth of the traffic.
const CIDR = "10.20.0.0/16"

var (
	months   = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	procs    = [...]string{"sshd", "sudo", "CRON", "kernel", "systemd", "su", "postfix/smtpd", "dhclient"}
	apps     = [...]string{"auth-service", "payments", "api-gateway", "inventory", "scheduler"}
	vendors  = [...][3]string{{"Palo Alto Networks", "PAN-OS", "10.2"}, {"Fortinet", "FortiGate", "7.4"}, {"Check Point", "VPN-1 & FireWall-1", "R81"}}
	actions  = [...]string{"allow", "deny", "drop", "reset-both"}
	protos   = [...]string{"TCP", "UDP", "ICMP"}
	paths    = [...]string{"/", "/login", "/api/v1/orders", "/static/app.js", "/admin", "/wp-login.php", "/api/v1/users/42", "/healthz", "/search?q=shoes", "/../../etc/passwd"}
	methods  = [...]string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	statuses = [...]int{200, 200, 200, 301, 302, 304, 401, 403, 404, 500}
	agents   = [...]string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "curl/8.5.0", "python-requests/2.31", "Go-http-client/1.1", "sqlmap/1.7"}
	outcomes = [...]string{"success", "failure"}
)

// skew maps r to [0, n) with density falling as the cube: the first 10% of
// the range gets ~46% of the draws.
func skew(r, n uint64) uint64 {
	u := float64(r&0xfffff) / (1 << 20)
	return uint64(u*u*u*float64(n)) % n
}

// mix is a 64-bit hash of i: cheap, deterministic pseudo-randomness.
func mix(i uint64) uint64 {
	i ^= i >> 33
	i *= 0xff51afd7ed558ccd
	i ^= i >> 33
	i *= 0xc4ceb9fe1a85ec53
	i ^= i >> 33
	return i
}

func appendIP(dst []byte, r uint64) []byte {
	switch r % 12 {
	case 0: // the CIDR query's network
		dst = append(dst, "10.20."...)
	case 1, 2, 3:
		dst = append(dst, "10.1."...)
	case 4, 5:
		dst = append(dst, "192.168."...)
	default:
		dst = strconv.AppendUint(dst, 20+skew(r>>8, 180), 10)
		dst = append(dst, '.')
		dst = strconv.AppendUint(dst, skew(r>>16, 256), 10)
		dst = append(dst, '.')
	}
	dst = strconv.AppendUint(dst, skew(r>>24, 256), 10)
	dst = append(dst, '.')
	return strconv.AppendUint(dst, 1+skew(r>>40, 254), 10)
}

func appendHost(dst []byte, r uint64) []byte {
	dst = append(dst, "host-"...)
	return strconv.AppendUint(dst, skew(r, 500), 10)
}

func appendUser(dst []byte, r uint64) []byte {
	if r%10 == 0 {
		return append(dst, "root"...)
	}
	dst = append(dst, "user"...)
	return strconv.AppendUint(dst, skew(r>>4, 2000), 10)
}

func pad2(dst []byte, n int) []byte {
	if n < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

// Time is record i's timestamp.
func (g *Generator) Time(i int) time.Time {
	n := max(g.Events, 1)
	return g.Day.Add(time.Duration(float64(i) / float64(n) * float64(24*time.Hour)))
}

// Append appends record i (without framing) to dst.
func (g *Generator) Append(dst []byte, i int) []byte {
	r := mix(uint64(i) + 0x9e3779b97f4a7c15)
	ts := g.Time(i)
	switch i % 4 {
	case 0:
		dst = g.rfc3164(dst, r, ts)
	case 1:
		dst = g.rfc5424(dst, r, ts)
	case 2:
		dst = g.cef(dst, r, ts)
	default:
		dst = g.json(dst, r, ts)
	}
	if i%1_000_000 == 777 {
		dst = appendToken(dst, "note", strconv.AppendInt([]byte("rarebenchterm"), int64(i/1_000_000), 10))
	}
	if g.HasRareTerm(i) {
		dst = appendToken(dst, "tag", []byte(RareTerm))
	}
	return dst
}

// appendToken adds a word at the end of a record: as the field key of a JSON
// record (to keep it an object), after a space otherwise.
func appendToken(dst []byte, key string, tok []byte) []byte {
	if dst[len(dst)-1] == '}' {
		dst = dst[:len(dst)-1]
		dst = append(dst, `,"`...)
		dst = append(dst, key...)
		dst = append(dst, `":"`...)
		dst = append(dst, tok...)
		return append(dst, `"}`...)
	}
	dst = append(dst, ' ')
	return append(dst, tok...)
}

// Stream is record i's host and application, the fields a log store that
// groups records into streams (as VictoriaLogs does) would take from the
// syslog header: the host is the one Vigil stores in host.name, the
// application the syslog program (RFC 3164), APP-NAME (RFC 5424), the CEF
// device product, or "web" for the JSON records.
func (g *Generator) Stream(i int) (host, app string) {
	r := mix(uint64(i) + 0x9e3779b97f4a7c15)
	switch i % 4 {
	case 0:
		return string(appendHost(nil, r>>9)), procs[r%uint64(len(procs))]
	case 1:
		return string(appendHost(nil, r>>9)), apps[r%uint64(len(apps))]
	case 2:
		return "fw-" + strconv.FormatUint((r>>50)%8, 10), vendors[r%uint64(len(vendors))][1]
	default:
		return string(appendHost(nil, r>>9)), "web"
	}
}

func (g *Generator) rfc3164(dst []byte, r uint64, ts time.Time) []byte {
	proc := procs[r%uint64(len(procs))]
	dst = append(dst, '<')
	dst = strconv.AppendUint(dst, 32+r%8+uint64(map[bool]int{true: 72, false: 0}[proc == "CRON"]), 10)
	dst = append(dst, '>')
	dst = append(dst, months[ts.Month()-1]...)
	dst = append(dst, ' ')
	if ts.Day() < 10 {
		dst = append(dst, ' ')
	}
	dst = strconv.AppendInt(dst, int64(ts.Day()), 10)
	dst = append(dst, ' ')
	dst = pad2(dst, ts.Hour())
	dst = append(dst, ':')
	dst = pad2(dst, ts.Minute())
	dst = append(dst, ':')
	dst = pad2(dst, ts.Second())
	dst = append(dst, ' ')
	dst = appendHost(dst, r>>9)
	dst = append(dst, ' ')
	dst = append(dst, proc...)
	dst = append(dst, '[')
	dst = strconv.AppendUint(dst, 1000+(r>>20)%30000, 10)
	dst = append(dst, "]: "...)
	switch proc {
	case "sshd":
		if r>>40%3 == 0 {
			dst = append(dst, "Accepted publickey for "...)
		} else {
			dst = append(dst, "Failed password for "...)
		}
		dst = appendUser(dst, r>>13)
		dst = append(dst, " from "...)
		dst = appendIP(dst, r>>3)
		dst = append(dst, " port "...)
		dst = strconv.AppendUint(dst, 1024+(r>>28)%60000, 10)
		dst = append(dst, " ssh2"...)
	case "sudo":
		dst = append(dst, "    "...)
		dst = appendUser(dst, r>>13)
		dst = append(dst, " : TTY=pts/"...)
		dst = strconv.AppendUint(dst, (r>>30)%8, 10)
		dst = append(dst, " ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"...)
	case "CRON":
		dst = append(dst, "("...)
		dst = appendUser(dst, r>>13)
		dst = append(dst, ") CMD (/usr/local/bin/backup.sh --incremental)"...)
	case "kernel":
		dst = append(dst, "[UFW BLOCK] IN=eth0 OUT= SRC="...)
		dst = appendIP(dst, r>>3)
		dst = append(dst, " DST=10.0.0.5 PROTO=TCP SPT="...)
		dst = strconv.AppendUint(dst, 1024+(r>>28)%60000, 10)
		dst = append(dst, " DPT="...)
		dst = strconv.AppendUint(dst, (r>>44)%1000, 10)
	default:
		dst = append(dst, "Started Session "...)
		dst = strconv.AppendUint(dst, (r>>21)%100000, 10)
		dst = append(dst, " of user "...)
		dst = appendUser(dst, r>>13)
		dst = append(dst, '.')
	}
	return dst
}

func appendRFC3339(dst []byte, ts time.Time) []byte {
	return ts.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
}

func (g *Generator) rfc5424(dst []byte, r uint64, ts time.Time) []byte {
	app := apps[r%uint64(len(apps))]
	dst = append(dst, '<')
	dst = strconv.AppendUint(dst, 128+r%8, 10)
	dst = append(dst, ">1 "...)
	dst = appendRFC3339(dst, ts)
	dst = append(dst, ' ')
	dst = appendHost(dst, r>>9)
	dst = append(dst, ' ')
	dst = append(dst, app...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, 100+(r>>20)%5000, 10)
	dst = append(dst, " AUDIT [meta@32473 tenant=\"t"...)
	dst = strconv.AppendUint(dst, (r>>24)%20, 10)
	dst = append(dst, "\" req=\""...)
	dst = strconv.AppendUint(dst, r>>32, 16)
	dst = append(dst, "\"] user="...)
	dst = appendUser(dst, r>>13)
	dst = append(dst, " action="...)
	if r>>40%4 == 0 {
		dst = append(dst, "delete"...)
	} else {
		dst = append(dst, "read"...)
	}
	dst = append(dst, " outcome="...)
	dst = append(dst, outcomes[(r>>45)%2]...)
	dst = append(dst, " src="...)
	return appendIP(dst, r>>3)
}

func (g *Generator) cef(dst []byte, r uint64, ts time.Time) []byte {
	v := vendors[r%uint64(len(vendors))]
	dst = append(dst, "<134>"...)
	dst = append(dst, months[ts.Month()-1]...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(ts.Day()), 10)
	dst = append(dst, ' ')
	dst = pad2(dst, ts.Hour())
	dst = append(dst, ':')
	dst = pad2(dst, ts.Minute())
	dst = append(dst, ':')
	dst = pad2(dst, ts.Second())
	dst = append(dst, " fw-"...)
	dst = strconv.AppendUint(dst, (r>>50)%8, 10)
	dst = append(dst, " CEF:0|"...)
	dst = append(dst, v[0]...)
	dst = append(dst, '|')
	dst = append(dst, v[1]...)
	dst = append(dst, '|')
	dst = append(dst, v[2]...)
	threat := (r>>17)%20 == 0
	if threat {
		dst = append(dst, "|THREAT|vulnerability|8|"...)
	} else {
		dst = append(dst, "|TRAFFIC|end|3|"...)
	}
	dst = append(dst, "rt="...)
	dst = strconv.AppendInt(dst, ts.UnixMilli(), 10)
	dst = append(dst, " src="...)
	dst = appendIP(dst, r>>3)
	dst = append(dst, " dst="...)
	dst = appendIP(dst, r>>11)
	dst = append(dst, " spt="...)
	dst = strconv.AppendUint(dst, 1024+(r>>28)%60000, 10)
	dst = append(dst, " dpt="...)
	dst = strconv.AppendUint(dst, skew(r>>44, 1000), 10)
	dst = append(dst, " proto="...)
	dst = append(dst, protos[(r>>38)%3]...)
	dst = append(dst, " act="...)
	dst = append(dst, actions[(r>>41)%4]...)
	dst = append(dst, " suser="...)
	dst = appendUser(dst, r>>13)
	dst = append(dst, " in="...)
	dst = strconv.AppendUint(dst, (r>>22)%100000, 10)
	dst = append(dst, " out="...)
	dst = strconv.AppendUint(dst, (r>>26)%1000000, 10)
	if threat {
		dst = append(dst, " cs1Label=threat cs1=SQL Injection Attempt"...)
	}
	return dst
}

func (g *Generator) json(dst []byte, r uint64, ts time.Time) []byte {
	dst = append(dst, `{"@timestamp":"`...)
	dst = appendRFC3339(dst, ts)
	dst = append(dst, `","host":{"name":"`...)
	dst = appendHost(dst, r>>9)
	dst = append(dst, `"},"source":{"ip":"`...)
	dst = appendIP(dst, r>>3)
	dst = append(dst, `","port":`...)
	dst = strconv.AppendUint(dst, 1024+(r>>28)%60000, 10)
	dst = append(dst, `},"user":{"name":"`...)
	dst = appendUser(dst, r>>13)
	dst = append(dst, `"},"http":{"request":{"method":"`...)
	dst = append(dst, methods[(r>>33)%uint64(len(methods))]...)
	dst = append(dst, `"},"response":{"status_code":`...)
	dst = strconv.AppendInt(dst, int64(statuses[(r>>36)%uint64(len(statuses))]), 10)
	dst = append(dst, `,"bytes":`...)
	dst = strconv.AppendUint(dst, (r>>40)%50000, 10)
	dst = append(dst, `}},"url":{"original":"`...)
	dst = append(dst, paths[(r>>45)%uint64(len(paths))]...)
	dst = append(dst, `"},"user_agent":{"original":"`...)
	dst = append(dst, agents[(r>>49)%uint64(len(agents))]...)
	dst = append(dst, `"},"event":{"dataset":"web.access","duration":`...)
	dst = strconv.AppendUint(dst, (r>>52)%5000000, 10)
	dst = append(dst, `},"message":"request served"}`...)
	return dst
}
