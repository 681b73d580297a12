package auto

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestLoghub runs every loghub sample through auto: syslog-style files
// (Linux, OpenSSH, Mac) must get their header fields, the others (Apache,
// HDFS, Hadoop, Windows, Zookeeper: application logs with their own
// layouts) must come through as events that keep their text.
func TestLoghub(t *testing.T) {
	for _, name := range []string{"Linux", "OpenSSH", "Mac", "Apache", "HDFS", "Hadoop", "Windows", "Zookeeper"} {
		t.Run(name, func(t *testing.T) {
			path := testutil.SharedData(t, filepath.Join("loghub", name, name+"_2k.log"))
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			syslog := name == "Linux" || name == "OpenSSH" || name == "Mac"
			p := newParser()
			sc := bufio.NewScanner(f)
			n := 0
			for sc.Scan() {
				n++
				line := sc.Text()
				e := parsetest.NewEvent(line)
				if err := p.Parse([]byte(line), e); err != nil {
					t.Fatalf("line %d: auto returned %v", n, err)
				}
				parsetest.Check(t, e, line)
				if syslog && (!e.Has("host.name") || !e.Has("process.name") || e.Timestamp.Equal(parsetest.Received)) {
					t.Fatalf("line %d %q: syslog header not parsed: %s", n, line, parsetest.Render(e))
				}
				if !syslog && len(e.Fields) == 0 {
					t.Fatalf("line %d %q: no fields", n, line)
				}
				// The message is the line's own text (kv joins the text
				// between pairs with spaces).
				for _, w := range strings.Fields(e.GetString("message")) {
					if !strings.Contains(line, w) {
						t.Fatalf("line %d: message word %q is not from the line", n, w)
					}
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 2000 {
				t.Fatalf("%d lines", n)
			}
		})
	}
}

// TestLogger parses both formats util-linux logger writes.
func TestLogger(t *testing.T) {
	for _, args := range [][]string{
		{"--rfc3164", "-t", "app", "-i", "user=bob action=login result=ok"},
		{"--rfc5424", "-t", "app", "--msgid", "M1", `{"event":{"action":"login"},"user":{"name":"bob"}}`},
		{"--rfc5424", "-t", "app", "CEF:0|V|P|1|100|login|3|suser=bob"},
		{"--rfc3164", "-t", "app", "plain words only"},
	} {
		t.Run(args[len(args)-1], func(t *testing.T) {
			line := parsetest.Logger(t, args...)
			e := parsetest.NewEvent(line)
			if err := New(Options{}).Parse([]byte(line), e); err != nil {
				t.Fatal(err)
			}
			parsetest.Check(t, e, line)
			if e.GetString("process.name") != "app" {
				t.Errorf("process.name missing: %s", parsetest.Render(e))
			}
			for _, want := range []string{"user", "user.name", "source.user.name", "message"} {
				if e.Has(want) {
					return
				}
			}
			t.Errorf("body not parsed: %s", parsetest.Render(e))
		})
	}
}
