package sigma

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// ruleWith builds a rule of the given logsource around a detection body.
func ruleWith(logsource, detection string) string {
	return "title: T\nid: t-1\nlevel: high\nlogsource:\n" + logsource + "detection:\n" + detection
}

const sysmonPC = "    product: windows\n    category: process_creation\n"

func sysmonEvent(kv ...any) *event.Event {
	e := &event.Event{}
	e.SetString("winlog.channel", "Microsoft-Windows-Sysmon/Operational")
	e.Set("winlog.event_id", event.Int(1))
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		if !strings.Contains(name, ".") {
			name = "winlog.event_data." + name
		}
		switch v := kv[i+1].(type) {
		case string:
			e.Set(name, event.String(v))
		case int:
			e.Set(name, event.Int(int64(v)))
		case event.Value:
			e.Set(name, v)
		}
	}
	return e
}

func matches(t *testing.T, rule string, e *event.Event) bool {
	t.Helper()
	r, err := ParseRule([]byte(rule))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, rule)
	}
	c := NewCompiler(Config{Placeholders: map[string][]string{"Admins": {"root", "admin*"}}})
	cr, err := c.Compile(r)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, rule)
	}
	return len(c.NewRuleSet([]*Compiled{cr}).Match(e, nil)) == 1
}

func TestDetection(t *testing.T) {
	f := func(detection string, e *event.Event, want bool) {
		t.Helper()
		if got := matches(t, ruleWith(sysmonPC, detection), e); got != want {
			t.Errorf("detection\n%s\nmatch = %v, want %v", detection, got, want)
		}
	}
	img := func(s string) *event.Event { return sysmonEvent("Image", s) }
	cl := func(s string) *event.Event { return sysmonEvent("CommandLine", s) }
	// plain values: case-insensitive whole-value match, wildcards
	f("  s:\n    Image: 'C:\\Windows\\cmd.exe'\n  condition: s", img(`c:\windows\CMD.EXE`), true)
	f("  s:\n    Image: 'C:\\Windows\\cmd.exe'\n  condition: s", img(`c:\windows\cmd.exe2`), false)
	f("  s:\n    Image: '*\\cmd.exe'\n  condition: s", img(`C:\x\cmd.exe`), true)
	f("  s:\n    Image: 'C:\\\\*\\cmd.?xe'\n  condition: s", img(`C:\a\b\cmd.Exe`), true)
	f("  s:\n    Image: 'C:\\\\*\\cmd.?xe'\n  condition: s", img(`C:\a\b\cmd.xe`), false)
	f("  s:\n    Image: 'C:\\*\\cmd.exe'\n  condition: s", img(`C:*\cmd.exe`), true)
	f("  s:\n    Image: 'a\\*b'\n  condition: s", img(`a*b`), true)
	f("  s:\n    Image: 'a\\*b'\n  condition: s", img(`axb`), false)
	// modifiers
	f("  s:\n    Image|endswith: '\\cmd.exe'\n  condition: s", img(`C:\X\CMD.exe`), true)
	f("  s:\n    Image|startswith: 'C:\\Users\\'\n  condition: s", img(`c:\users\a.exe`), true)
	f("  s:\n    CommandLine|contains|all: [' -a ', ' -b ']\n  condition: s", cl(`x -b  -a  y`), true)
	f("  s:\n    CommandLine|contains|all: [' -a ', ' -b ']\n  condition: s", cl(`x -a y`), false)
	f("  s:\n    CommandLine|contains|cased: 'Invoke'\n  condition: s", cl(`invoke-x`), false)
	f("  s:\n    CommandLine|contains|cased: 'Invoke'\n  condition: s", cl(`Invoke-x`), true)
	f("  s:\n    CommandLine|windash|contains: ' -enc '\n  condition: s", cl(`p /enc x`), true)
	f("  s:\n    CommandLine|windash|contains: ' -enc '\n  condition: s", cl("p \u2014enc x"), true)
	f("  s:\n    CommandLine|windash|contains: ' -enc '\n  condition: s", cl(`p enc x`), false)
	f("  s:\n    CommandLine|re: 'a[0-9]+b'\n  condition: s", cl(`xxA12b`), false)
	f("  s:\n    CommandLine|re|i: 'a[0-9]+b'\n  condition: s", cl(`xxA12b`), true)
	f("  s:\n    CommandLine|re: '^x.y$'\n  condition: s", cl("x\ny"), false)
	f("  s:\n    CommandLine|re|s: '^x.y$'\n  condition: s", cl("x\ny"), true)
	f("  s:\n    CommandLine|re|m: '^y$'\n  condition: s", cl("x\ny"), true)
	f("  s:\n    CommandLine|re: '.{10,}'\n  condition: s", cl("0123456789"), true)
	f("  s:\n    CommandLine|re: '.{10,}'\n  condition: s", cl("01234\n56789"), false)
	f("  s:\n    CommandLine|base64|contains: 'whoami'\n  condition: s", cl("echo d2hvYW1p | b64"), true)
	// base64offset: 'http' at each of the three offsets
	for _, plain := range []string{"http", "ahttp", "abhttp"} {
		enc := b64(plain + "://x")
		f("  s:\n    CommandLine|base64offset|contains: 'http'\n  condition: s", cl("x "+enc), true)
	}
	f("  s:\n    CommandLine|wide|base64offset|contains: 'iex'\n  condition: s", cl(b64(wide16("x iex(y)"))), true)
	f("  s:\n    CommandLine|utf16le|base64|contains: 'ab'\n  condition: s", cl(b64(wide16("ab"))), true)
	f("  s:\n    DestinationIp|cidr: '10.0.0.0/8'\n  condition: s", sysmonEvent("DestinationIp", "10.1.2.3"), true)
	f("  s:\n    DestinationIp|cidr: '10.0.0.0/8'\n  condition: s", sysmonEvent("DestinationIp", "11.1.2.3"), false)
	f("  s:\n    DestinationIp|cidr: 'fd00::/8'\n  condition: s", sysmonEvent("DestinationIp", "fd12::1"), true)
	f("  s:\n    ParentImage|exists: true\n  condition: s", sysmonEvent("ParentImage", ""), true)
	f("  s:\n    ParentImage|exists: false\n  condition: s", img("x"), true)
	f("  s:\n    Image|fieldref: ParentImage\n  condition: s", sysmonEvent("Image", `C:\A.exe`, "ParentImage", `c:\a.exe`), true)
	f("  s:\n    Image|fieldref|endswith: OriginalFileName\n  condition: s", sysmonEvent("Image", `C:\A.exe`, "OriginalFileName", `a.exe`), true)
	f("  s:\n    Image|neq: 'x'\n  condition: s", img("y"), true)
	f("  s:\n    Image|neq: 'x'\n  condition: s", img("X"), false)
	f("  s:\n    TerminalSessionId|gt: 1\n  condition: s", sysmonEvent("TerminalSessionId", "2"), true)
	f("  s:\n    TerminalSessionId|gte: 2\n  condition: s", sysmonEvent("TerminalSessionId", 2), true)
	f("  s:\n    TerminalSessionId|lt: 2\n  condition: s", sysmonEvent("TerminalSessionId", "2"), false)
	f("  s:\n    TerminalSessionId|lte: 2\n  condition: s", sysmonEvent("TerminalSessionId", "x"), false)
	f("  s:\n    User|expand: '%Admins%'\n  condition: s", sysmonEvent("User", "ADMIN7"), true)
	f("  s:\n    User|expand: '%Admins%'\n  condition: s", sysmonEvent("User", "bob"), false)
	f("  s:\n    UtcTime|hour: 3\n  condition: s", sysmonEvent("UtcTime", "2026-01-02 03:04:05.000"), true)
	// numbers, null, empty, booleans
	f("  s:\n    EventID: 1\n  condition: s", img("x"), true)
	f("  s:\n    ProcessId: 42\n  condition: s", sysmonEvent("ProcessId", "42"), true)
	f("  s:\n    ProcessId: 42\n  condition: s", sysmonEvent("ProcessId", "0x2a"), true)
	f("  s:\n    LogonId: '0x3E7'\n  condition: s", sysmonEvent("LogonId", "0x3e7"), true)
	f("  s:\n    ParentImage: null\n  condition: s", img("x"), true)
	f("  s:\n    ParentImage: null\n  condition: s", sysmonEvent("ParentImage", ""), true)
	f("  s:\n    ParentImage: null\n  condition: s", sysmonEvent("ParentImage", "p"), false)
	f("  s:\n    ParentImage: ''\n  condition: s", img("x"), true)
	f("  s:\n    ParentImage: ''\n  condition: s", sysmonEvent("ParentImage", "p"), false)
	f("  s:\n    Image: '*'\n  condition: s", sysmonEvent("Description", "p"), false)
	f("  s:\n    Initiated: true\n  condition: s", sysmonEvent("Initiated", "true"), true)
	f("  s:\n    Initiated: 'true'\n  condition: s", sysmonEvent("Initiated", "True"), true)
	// lists are OR, maps AND, list of maps OR
	f("  s:\n    Image|endswith: ['\\a.exe', '\\b.exe']\n  condition: s", img(`C:\b.exe`), true)
	f("  s:\n    Image|endswith: '\\a.exe'\n    CommandLine|contains: 'x'\n  condition: s", img(`C:\a.exe`), false)
	f("  s:\n    - Image|endswith: '\\a.exe'\n    - CommandLine|contains: 'x'\n  condition: s", img(`C:\a.exe`), true)
	// conditions
	many := "  sel_a:\n    Image|endswith: '\\a.exe'\n  sel_b:\n    CommandLine|contains: 'bb'\n  _hidden:\n    User: nobody\n  filter:\n    User: SYSTEM\n"
	both := sysmonEvent("Image", `C:\a.exe`, "CommandLine", "bb", "User", "alice")
	f(many+"  condition: all of sel_*", both, true)
	f(many+"  condition: all of sel_*", img(`C:\a.exe`), false)
	f(many+"  condition: 1 of sel_*", img(`C:\a.exe`), true)
	f(many+"  condition: 1 of sel_* and not filter", sysmonEvent("Image", `C:\a.exe`, "User", "system"), false)
	f(many+"  condition: (sel_a or sel_b) and not filter", both, true)
	f(many+"  condition: not sel_a and not (sel_b or filter)", img(`C:\z.exe`), true)
	f(many+"  condition: 1 of them", sysmonEvent("User", "nobody"), false)
	f(many+"  condition: 2 of sel_*", both, true)
	f(many+"  condition:\n    - sel_a\n    - sel_b", cl("bb"), true)
	f(many+"  condition: sel_a OR sel_b", cl("bb"), true)
	// keywords look in every field and the original
	kw := "  keywords:\n    - 'mimikatz'\n    - 'sekurlsa::'\n  condition: keywords"
	f(kw, sysmonEvent("CommandLine", "run SEKURLSA::logonpasswords"), true)
	f(kw, sysmonEvent("CommandLine", "nothing"), false)
	f("  keywords:\n    '|all':\n      - 'a1'\n      - 'b2'\n  condition: keywords", sysmonEvent("CommandLine", "A1", "Image", "b2"), true)
	f("  keywords:\n    '|all':\n      - 'a1'\n      - 'b2'\n  condition: keywords", sysmonEvent("CommandLine", "A1"), false)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func wide16(s string) string { return encodeUTF16(s, false, false) }

func TestLogsource(t *testing.T) {
	f := func(logsource string, e *event.Event, want bool) {
		t.Helper()
		rule := ruleWith(logsource, "  s:\n    Image|endswith: '\\x.exe'\n  condition: s")
		if got := matches(t, rule, e); got != want {
			t.Errorf("logsource\n%smatch = %v, want %v", logsource, got, want)
		}
	}
	sec := &event.Event{}
	sec.SetString("winlog.channel", "Security")
	sec.Set("winlog.event_id", event.Int(4688))
	sec.SetString("winlog.event_data.NewProcessName", `C:\x.exe`)
	f(sysmonPC, sysmonEvent("Image", `C:\x.exe`), true)
	f(sysmonPC, sec, true)
	f("    product: windows\n    category: image_load\n", sysmonEvent("Image", `C:\x.exe`), false)
	f("    product: windows\n    service: sysmon\n", sysmonEvent("Image", `C:\x.exe`), true)
	f("    product: windows\n    service: security\n", sysmonEvent("Image", `C:\x.exe`), false)
	f("    product: windows\n", sysmonEvent("Image", `C:\x.exe`), true)
	lin := &event.Event{}
	lin.SetString("host.os.type", "linux")
	lin.Set("event.category", event.List([]string{"process"}))
	lin.Set("event.type", event.List([]string{"start"}))
	lin.SetString("process.executable", `/tmp\x.exe`)
	f("    product: linux\n    category: process_creation\n", lin, true)
	f("    product: macos\n    category: process_creation\n", lin, false)
	f(sysmonPC, lin, false)
	noinfo := &event.Event{}
	noinfo.SetString("Image", `/tmp\x.exe`)
	f("    product: linux\n    category: process_creation\n", noinfo, false)
}

func TestRejections(t *testing.T) {
	f := func(rule, reason string) {
		t.Helper()
		rules, errs := Parse([]byte(rule))
		var err error
		if len(errs) > 0 {
			err = errs[0]
		} else if len(rules) != 1 {
			t.Fatalf("parsed %d rules", len(rules))
		} else {
			_, err = NewCompiler(Config{}).Compile(rules[0])
		}
		if err == nil {
			t.Fatalf("rule accepted, want rejection %s:\n%s", reason, rule)
		}
		if got := ReasonOf(err); got != reason {
			t.Errorf("reason %s (%v), want %s", got, err, reason)
		}
	}
	det := func(d string) string { return ruleWith(sysmonPC, d) }
	f(det("  s:\n    Image|nosuch: x\n  condition: s"), ReasonModifier)
	f(det("  s:\n    Image|expand: '%nope%'\n  condition: s"), ReasonPlaceholder)
	f(det("  s:\n    Image|re: '(?<=a)b'\n  condition: s"), ReasonRegex)
	f(det("  s:\n    Image: x\n  condition: s and t"), ReasonCondition)
	f(det("  s:\n    Image: x\n  condition: s | count() > 5"), ReasonAggregation)
	f(det("  s:\n    Image: x\n  condition: (s"), ReasonCondition)
	f(det("  s:\n    Image: x\n  timeframe: 5m\n  condition: s"), ReasonAggregation)
	f(det("  s:\n    Image|cidr: 'nope'\n  condition: s"), ReasonValue)
	f(det("  s:\n    Image|base64: 'a*'\n  condition: s"), ReasonValue)
	f(det("  s:\n    Image: x\n"), ReasonMissing)
	f(ruleWith("    product: windows\n    category: file_access\n", "  s:\n    Image: x\n  condition: s"), ReasonLogsource)
	f(ruleWith("    product: windows\n    service: nosuchservice\n", "  s:\n    Image: x\n  condition: s"), ReasonLogsource)
	f("title: c\ncorrelation:\n  type: event_count\n", ReasonCorrelation)
	f("- a\n- b\n", ReasonYAML)
	f("title: x\nlogsource: {product: windows}\ndetection: [\n", ReasonYAML)
	f(det("  s:\n    CommandLine|windash: '-a -b -c -d -e -f'\n  condition: s"), ReasonExpansionSize)
}

func TestConditionParse(t *testing.T) {
	f := func(cond, want string) {
		t.Helper()
		n, err := parseCondition(cond)
		if err != nil {
			if want != "error" {
				t.Errorf("parseCondition(%q): %v", cond, err)
			}
			return
		}
		if got := n.String(); got != want {
			t.Errorf("parseCondition(%q) = %s, want %s", cond, got, want)
		}
	}
	f("a", "a")
	f("a and b or c", "((a and b) or c)")
	f("a or b and c", "(a or (b and c))")
	f("not a and b", "(not a and b)")
	f("not (a or b)", "not (a or b)")
	f("1 of sel* and not all of filter*", "(1 of sel* and not all of filter*)")
	f("all of them", "all of them")
	f("a and", "error")
	f("(a", "error")
	f("a b", "error")
	f("1 of", "error")
	f("near a", "error")
	f(strings.Repeat("(", 100)+"a"+strings.Repeat(")", 100), "error")
}

func TestWindash(t *testing.T) {
	got := windash(parsePattern(" -a x-y /b"))
	if len(got) != 25 {
		t.Fatalf("windash made %d permutations, want 25 (x-y is not an option)", len(got))
	}
	var texts []string
	for _, p := range got {
		texts = append(texts, p.plain())
	}
	for _, want := range []string{" -a x-y /b", " /a x-y -b", " \u2013a x-y \u2015b"} {
		if !strings.Contains(strings.Join(texts, "|"), want) {
			t.Errorf("no permutation %q in %v", want, texts)
		}
	}
}

func TestGlob(t *testing.T) {
	f := func(pat, s string, want bool) {
		t.Helper()
		m := compilePattern(parsePattern(pat), true)
		if got := m.match(s); got != want {
			t.Errorf("%q ~ %q = %v, want %v", pat, s, got, want)
		}
	}
	f("a*b*c", "aXbYc", true)
	f("a*b*c", "aXbY", false)
	f("*a?c*", "zzabcz", true)
	f("a?", "aé", true)
	f("a**b", "ab", true)
	f("*", "", true)
	f("", "", true)
	f("", "x", false)
	f("a*a*a*a*b", strings.Repeat("a", 200), false)
}

func ExampleRuleSet_Match() {
	rule := `title: Whoami
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\whoami.exe'
  condition: selection
level: medium`
	r, _ := ParseRule([]byte(rule))
	c := NewCompiler(Config{})
	cr, _ := c.Compile(r)
	rs := c.NewRuleSet([]*Compiled{cr})
	e := &event.Event{}
	e.SetString("winlog.channel", "Microsoft-Windows-Sysmon/Operational")
	e.Set("winlog.event_id", event.Int(1))
	e.SetString("winlog.event_data.Image", `C:\Windows\System32\WHOAMI.EXE`)
	for _, m := range rs.Match(e, nil) {
		fmt.Println(m.Title, m.Level)
	}
	// Output: Whoami medium
}
