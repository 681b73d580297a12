package sigma

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func explainOne(t *testing.T, rule string, e *event.Event) (Explanation, bool) {
	t.Helper()
	r, err := ParseRule([]byte(rule))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	c := NewCompiler(Config{})
	cr, err := c.Compile(r)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	rs := c.NewRuleSet([]*Compiled{cr})
	matched := len(rs.Match(e, nil)) == 1
	ex, ok := rs.Explain(r, e)
	if ok != matched {
		t.Fatalf("Explain ok = %v, Match = %v", ok, matched)
	}
	return ex, ok
}

func TestExplainSelections(t *testing.T) {
	rule := ruleWith(sysmonPC, `    sel_img:
        Image|endswith: '\whoami.exe'
    sel_cli:
        CommandLine|contains|all: [' /all', 'whoami']
    sel_other:
        CommandLine|contains: 'never'
    filter:
        User: SYSTEM
    condition: (sel_img or sel_other) and sel_cli and not filter
`)
	e := sysmonEvent("Image", `C:\Windows\System32\whoami.exe`, "CommandLine", "whoami /all", "User", "alice")
	ex, ok := explainOne(t, rule, e)
	if !ok {
		t.Fatal("no explanation for a matching event")
	}
	want := Explanation{Selections: []SelectionMatch{
		{Name: "sel_img", Fields: []FieldMatch{{Field: "Image", Modifier: "endswith", Value: `C:\Windows\System32\whoami.exe`, EventField: "winlog.event_data.Image"}}},
		{Name: "sel_cli", Fields: []FieldMatch{{Field: "CommandLine", Modifier: "contains|all", Value: "whoami /all", EventField: "winlog.event_data.CommandLine"}}},
	}}
	if !reflect.DeepEqual(ex, want) {
		t.Errorf("explanation\n got %+v\nwant %+v", ex, want)
	}
	// a filtered event matches nothing and is not explained
	if _, ok := explainOne(t, rule, sysmonEvent("Image", `C:\x\whoami.exe`, "CommandLine", "whoami /all", "User", "SYSTEM")); ok {
		t.Error("an event the rule does not match was explained")
	}
}

func TestExplainECSAndKeywords(t *testing.T) {
	rule := "title: K\nlogsource: {category: webserver}\ndetection:\n  sel:\n    url.original|contains: '../'\n    http.response.status_code: 200\n  kw:\n    - 'etc/passwd'\n  condition: sel and kw\n"
	e := &event.Event{}
	e.SetString("http.request.method", "GET")
	e.SetString("url.original", "/a/../../etc/passwd")
	e.Set("http.response.status_code", event.Int(200))
	ex, ok := explainOne(t, rule, e)
	if !ok {
		t.Fatal("not explained")
	}
	if len(ex.Selections) != 2 || ex.Selections[0].Name != "sel" || ex.Selections[1].Name != "kw" {
		t.Fatalf("selections %+v", ex.Selections)
	}
	sel := ex.Selections[0].Fields
	if len(sel) != 2 || sel[0].Field != "url.original" || sel[0].Value != "/a/../../etc/passwd" || sel[0].EventField != "" ||
		sel[1].Field != "http.response.status_code" || sel[1].Value != "200" {
		t.Errorf("sel fields %+v", sel)
	}
	kw := ex.Selections[1].Fields
	if len(kw) != 1 || kw[0].Field != "" || kw[0].EventField != "url.original" {
		t.Errorf("keyword fields %+v", kw)
	}
}

func TestExplainCutsLongValues(t *testing.T) {
	rule := ruleWith(sysmonPC, "    sel:\n        CommandLine|contains: 'x'\n    condition: sel\n")
	long := strings.Repeat("é", MaxExplainValue) + "x"
	ex, ok := explainOne(t, rule, sysmonEvent("CommandLine", long))
	if !ok {
		t.Fatal("not explained")
	}
	v := ex.Selections[0].Fields[0].Value
	if len(v) > MaxExplainValue+len("…") || !strings.HasSuffix(v, "…") || !strings.HasPrefix(v, "éé") {
		t.Errorf("value of %d bytes: %q…", len(v), v[:10])
	}
}

func TestExplainUnknownRule(t *testing.T) {
	c := NewCompiler(Config{})
	rs := c.NewRuleSet(nil)
	if _, ok := rs.Explain(&Rule{}, &event.Event{}); ok {
		t.Error("a rule outside the set was explained")
	}
}

// A rule is explained only on the events its logsource sees, as Match
// decides: a Linux keyword rule does not explain a Windows event that
// holds the keyword.
func TestExplainRespectsLogsource(t *testing.T) {
	rule := ruleWith("    product: linux\n", "  k:\n    - 'whoami'\n  condition: k\n")
	if _, ok := explainOne(t, rule, sysmonEvent("CommandLine", "whoami")); ok {
		t.Error("a Windows event explained a Linux rule")
	}
	e := &event.Event{}
	e.SetString("host.os.type", "linux")
	e.SetString("process.command_line", "whoami")
	if ex, ok := explainOne(t, rule, e); !ok || ex.Selections[0].Fields[0].EventField != "process.command_line" {
		t.Errorf("linux event: %+v %v", ex, ok)
	}
}
