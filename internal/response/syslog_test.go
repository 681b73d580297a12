package response

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/rfc5424"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func syslogResponse(name, network, addr, framing string) config.Response {
	return config.Response{Name: name, Type: "syslog", Retry: fastRetry(3),
		Syslog: &config.SyslogResponse{Network: network, Address: addr, Framing: framing, Hostname: "vigil-test"}}
}

// The message parses as RFC 5424 with Vigil's own parser, whatever the
// values put in its structured data.
func TestSyslogFormat(t *testing.T) {
	c := validated(t, syslogResponse("s", "udp", "127.0.0.1:514", ""))[0]
	s, err := newSyslog(c.Syslog)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t0 }
	a := mkAlert("a1", "critical")
	a.RuleID = `odd "rule" \ with ] and é`
	j, err := alertJob("s", &a, t0)
	if err != nil {
		t.Fatal(err)
	}
	msg := s.format(j)
	if want := fmt.Sprintf("<34>1 2026-11-23T10:00:00.000000Z vigil-test vigil %d alert [vigil@32473 ", os.Getpid()); !strings.HasPrefix(string(msg), want) {
		t.Errorf("message starts %q, want %q", msg[:min(len(msg), 80)], want)
	}
	e := &event.Event{}
	if err := rfc5424.New().Parse(msg, e); err != nil {
		t.Fatalf("parse %s: %v", msg, err)
	}
	sd := rfc5424.SDPrefix + "vigil@32473."
	for k, want := range map[string]string{"tenant": "acme", "id": "a1", "rule_id": a.RuleID, "level": "critical", "delivery": j.delivery} {
		if got := e.GetString(sd + k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	var env Envelope
	if err := json.Unmarshal([]byte(e.Message()), &env); err != nil || env.Alert.RuleID != a.RuleID {
		t.Errorf("MSG %q does not hold the envelope: %v", e.Message(), err)
	}
	// Cut to max_message, at a character boundary, and said so.
	s.maxMsg = 480
	a.Title = strings.Repeat("é", 400)
	j, _ = alertJob("s", &a, t0)
	msg = s.format(j)
	if len(msg) > 480 || !strings.Contains(string(msg), `truncated="true"`) || !strings.HasSuffix(string(msg), "é") && !strings.HasSuffix(string(msg), `"`) {
		t.Errorf("cut message (%d bytes) = %q", len(msg), msg)
	}
	if err := rfc5424.New().Parse(msg, &event.Event{}); err != nil {
		t.Errorf("cut message does not parse: %v", err)
	}
}

func TestSyslogSeverity(t *testing.T) {
	for level, want := range map[string]int{"critical": 2, "high": 3, "medium": 4, "low": 5, "informational": 6, "": 6} {
		if got := syslogSeverity(level); got != want {
			t.Errorf("syslogSeverity(%q) = %d, want %d", level, got, want)
		}
	}
}

// A real rsyslog receives the messages over TCP (octet-counted and LF
// framing) and UDP, and writes what it parsed.
func TestSyslogToRsyslog(t *testing.T) {
	rsyslogd := requireTool(t, "rsyslogd")
	dir := t.TempDir()
	tcpPort, udpPort := freePort(t, "tcp"), freePort(t, "udp")
	out := filepath.Join(dir, "out.log")
	conf := fmt.Sprintf(`global(workDirectory=%q maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
input(type="imtcp" port=%q address="127.0.0.1")
input(type="imudp" port=%q address="127.0.0.1")
template(name="t" type="string" string="%%PRI%%|%%HOSTNAME%%|%%APP-NAME%%|%%MSGID%%|%%STRUCTURED-DATA%%|%%msg%%\n")
action(type="omfile" file=%q template="t")
`, dir, tcpPort, udpPort, out)
	confFile := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rsyslogd, "-n", "-f", confFile, "-i", filepath.Join(dir, "rsyslog.pid"))
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var err error
	listening := testutil.Poll(testutil.WaitTimeout, func() bool {
		var c net.Conn
		if c, err = net.Dial("tcp", "127.0.0.1:"+tcpPort); err == nil {
			c.Close()
		}
		if err != nil {
			return false
		}
		// imudp gives no sign of being ready but its bound socket.
		bound, berr := testutil.UDPBound(udpPort)
		err = berr
		return bound || berr != nil
	})
	if !listening || err != nil {
		t.Fatalf("rsyslog did not listen: %v\n%s", err, log.String())
	}
	r := newRig(t,
		syslogResponse("octets", "tcp", "127.0.0.1:"+tcpPort, "octet-counting"),
		syslogResponse("lf", "tcp", "127.0.0.1:"+tcpPort, "lf"),
		syslogResponse("udp", "udp", "127.0.0.1:"+udpPort, ""))
	write(t, r.d, mkAlert("a1", "high"), mkAlert("a2", "low"))
	r.records(t, 6, RecordFilter{Outcome: OutcomeSuccess})
	var lines []string
	testutil.Poll(testutil.WaitTimeout, func() bool {
		// omfile writes through a buffer: count whole lines only, not
		// the start of one it has not finished writing.
		b, _ := os.ReadFile(out)
		whole := strings.Split(string(b), "\n")
		lines = whole[:len(whole)-1]
		return len(lines) >= 6
	})
	if len(lines) != 6 {
		t.Fatalf("rsyslog wrote %d lines, want 6:\n%s\n%s", len(lines), strings.Join(lines, "\n"), log.String())
	}
	for _, l := range lines {
		parts := strings.SplitN(l, "|", 6)
		if len(parts) != 6 {
			t.Fatalf("line %q", l)
		}
		var env Envelope
		if err := json.Unmarshal([]byte(strings.TrimSpace(parts[5])), &env); err != nil || env.Alert == nil {
			t.Errorf("rsyslog's msg %q is not the envelope: %v", parts[5], err)
			continue
		}
		wantPri := map[string]string{"a1": "35", "a2": "37"}[env.Alert.ID] // auth (4) * 8 + error (3) / notice (5)
		if parts[0] != wantPri || parts[1] != "vigil-test" || parts[2] != "vigil" || parts[3] != "alert" ||
			!strings.Contains(parts[4], `[vigil@32473 tenant="acme" id="`+env.Alert.ID+`"`) {
			t.Errorf("rsyslog parsed %q", l)
		}
	}
}

// Over TLS, the server is verified with the configured CA; a server that
// closed the connection is noticed and the next message goes on a new one.
func TestSyslogTLSAndReconnect(t *testing.T) {
	caFile, serverCfg := testCA(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	msgs := make(chan string, 10)
	hungUp := make(chan struct{}, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				br := bufio.NewReader(c)
				// Read one octet-counted frame, then hang up.
				n, err := br.ReadString(' ')
				if err != nil {
					c.Close()
					return
				}
				size, _ := strconv.Atoi(strings.TrimSpace(n))
				b := make([]byte, size)
				_, err = io.ReadFull(br, b)
				c.Close()
				if err == nil {
					msgs <- string(b)
					hungUp <- struct{}{}
				}
			}(c)
		}
	}()
	c := syslogResponse("tls", "tls", ln.Addr().String(), "")
	c.Syslog.TLS = config.ClientTLS{CAFile: caFile}
	r := newRig(t, c)
	for i := range 3 {
		write(t, r.d, mkAlert(fmt.Sprint("a", i), "high"))
		select {
		case m := <-msgs:
			if err := rfc5424.New().Parse([]byte(m), &event.Event{}); err != nil {
				t.Errorf("message %d does not parse: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("message %d did not arrive: %+v", i, r.records(t, i+1, RecordFilter{}))
		}
		<-hungUp // the next message finds the connection closed
	}
	for _, rec := range r.records(t, 3, RecordFilter{}) {
		if rec.Outcome != OutcomeSuccess || rec.Attempt != 1 {
			t.Errorf("record %+v", rec)
		}
	}
}

func freePort(t *testing.T, network string) string {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// testCA makes a CA (written to a PEM file) and a server configuration
// with a certificate it signed for 127.0.0.1.
func testCA(t *testing.T) (string, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigil test CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	skey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &skey.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: skey}}}
}

// FuzzSyslogFormat: whatever the values, the message parses as RFC 5424
// and the structured data gives them back.
func FuzzSyslogFormat(f *testing.F) {
	f.Add("acme", "rule-1", "high", `a"b]c\d`, 600)
	f.Add("", "", "", "", 480)
	f.Fuzz(func(t *testing.T, tenant, rule, level, title string, maxMsg int) {
		c := validated(t, syslogResponse("s", "udp", "127.0.0.1:514", ""))[0]
		s, err := newSyslog(c.Syslog)
		if err != nil {
			t.Fatal(err)
		}
		s.maxMsg = 480 + (maxMsg&0xffff)%4096
		a := mkAlert("a1", level)
		a.Tenant, a.RuleID, a.Title = tenant, rule, title
		j, err := alertJob("s", &a, t0)
		if err != nil {
			t.Fatal(err)
		}
		msg := s.format(j)
		if len(msg) > s.maxMsg && !strings.Contains(string(msg), `truncated="true"`) {
			t.Fatalf("message of %d bytes over max %d", len(msg), s.maxMsg)
		}
		e := &event.Event{}
		if err := rfc5424.New().Parse(msg, e); err != nil {
			t.Fatalf("parse %q: %v", msg, err)
		}
		sd := rfc5424.SDPrefix + "vigil@32473."
		for k, v := range map[string]string{"tenant": j.tenant, "rule_id": rule, "level": level} {
			// Each byte of an invalid sequence is U+FFFD, as in the envelope's JSON.
			if want := string([]rune(v)); want != "" && e.GetString(sd+k) != want {
				t.Fatalf("%s = %q, want %q (message %q)", k, e.GetString(sd+k), want, msg)
			}
		}
	})
}
