package winxml

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/evtx"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// A 4624 as a Windows Event Collector forwards it (RenderedText format,
// single quotes, RenderingInfo), shortened.
const wec4624 = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4624</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2021-09-14T13:23:14.1234567Z'/><EventRecordID>1234</EventRecordID><Correlation ActivityID='{A1B2C3D4-0000-0000-0000-000000000000}'/><Execution ProcessID='636' ThreadID='700'/><Channel>Security</Channel><Computer>dc01.corp.local</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='TargetUserName'>alice</Data><Data Name='LogonType'>3</Data><Data Name='LogonProcessName'>NtLmSsp </Data><Data Name='IpAddress'>10.0.0.5</Data><Data Name='Empty'>-</Data><Data Name='Nothing'/></EventData><RenderingInfo Culture='en-US'><Message>An account was successfully logged on.&#13;
&#13;
Subject: ...</Message><Level>Information</Level><Task>Logon</Task><Opcode>Info</Opcode><Channel>Security</Channel><Provider>Microsoft Windows security auditing.</Provider><Keywords><Keyword>Audit Success</Keyword></Keywords></RenderingInfo></Event>`

func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		e := parsetest.NewEvent(in)
		if err := New().Parse([]byte(in), e); err != nil {
			t.Fatalf("parse %.60q: %v", in, err)
		}
		parsetest.Check(t, e, in)
		parsetest.Equal(t, e, want)
	}
	f(wec4624, `{"@timestamp":"2021-09-14T13:23:14.1234567Z","winlog.provider_name":"Microsoft-Windows-Security-Auditing",
		"winlog.provider_guid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","winlog.event_id":4624,"event.code":"4624",
		"winlog.version":2,"winlog.level":0,"log.level":"information","winlog.task":12544,"winlog.opcode":0,
		"winlog.keywords":"0x8020000000000000","winlog.record_id":1234,"winlog.activity_id":"{A1B2C3D4-0000-0000-0000-000000000000}",
		"winlog.process.pid":636,"winlog.process.thread.id":700,"winlog.channel":"Security",
		"winlog.computer_name":"dc01.corp.local","host.name":"dc01.corp.local",
		"winlog.event_data.SubjectUserSid":"S-1-5-18","winlog.event_data.TargetUserName":"alice",
		"winlog.event_data.LogonType":"3","winlog.event_data.LogonProcessName":"NtLmSsp ",
		"winlog.event_data.IpAddress":"10.0.0.5","winlog.event_data.Empty":"-",
		"message":"An account was successfully logged on.\r\n\r\nSubject: ..."}`)
	// Pretty-printed, with a declaration, a comment, a BOM, a prefix and
	// nine fraction digits (older Windows).
	f("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- forwarded -->\n<e:Event xmlns:e=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n  <e:System>\n    <e:EventID Qualifiers=\"16384\">7036</e:EventID>\n    <e:TimeCreated SystemTime=\"2015-11-12T00:24:35.110418000Z\" />\n    <e:Channel>System</e:Channel>\n  </e:System>\n  <e:EventData>\n    <e:Data>The Windows Update service</e:Data>\n    <e:Data>running</e:Data>\n    <e:Binary>770075006100750073006500720076002F0034000000</e:Binary>\n  </e:EventData>\n</e:Event>\n",
		`{"@timestamp":"2015-11-12T00:24:35.110418Z","winlog.event_id":7036,"event.code":"7036","winlog.channel":"System",
		"winlog.event_data.param1":"The Windows Update service","winlog.event_data.param2":"running",
		"winlog.event_data.Binary":"770075006100750073006500720076002F0034000000",
		"winlog.event_data.Data":["The Windows Update service","running"]}`)
	// UserData, CDATA, references, attributes with entities and line ends.
	f(`<Event><System><EventID>1102</EventID></System><UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog"><SubjectUserName>a&amp;b &#x263A;&#65;</SubjectUserName><Note><![CDATA[<raw> & text]]></Note><Certificate fileRef="x&quot;y&#10;z	t"/></LogFileCleared></UserData></Event>`,
		`{"winlog.event_id":1102,"event.code":"1102","winlog.user_data.SubjectUserName":"a&b ☺A",
		"winlog.user_data.Note":"<raw> & text","winlog.user_data.Certificate.fileRef":"x\"y\nz t"}`)
	// Unknown entities are kept; duplicate names become a list.
	f(`<Event><EventData><Data Name="X">&custom;</Data><Data Name="X">2</Data></EventData></Event>`,
		`{"winlog.event_data.X":["&custom;","2"]}`)
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		err := New().Parse([]byte(in), parsetest.NewEvent(in))
		if !errors.Is(err, formaterr.ErrFormat) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want ErrFormat naming %q", in, err, want)
		}
	}
	f(``, "no element")
	f(`   `, "no element")
	f(`hello`, "text outside the root")
	f(`<Events><Event/></Events>`, "want Event")
	f(`<Event><System></Event>`, "does not match")
	f(`<Event><System>`, "not closed")
	f(`<Event/><Event/>`, "second root")
	f(`<Event a=b/>`, "not quoted")
	f(`<Event a="b/>`, "unterminated value")
	f(`<Event a="<"/>`, "'<' in a value")
	f(`<Event><!DOCTYPE x></Event>`, "DTDs")
	f(`<Event>&#xZZ;</Event>`, "bad character reference")
	f(`<Event>a & b</Event>`, "unterminated reference")
	f(`<Event><!-- x</Event>`, "unterminated comment")
	f(`<Event><![CDATA[x</Event>`, "unterminated CDATA")
	f(`<Event`, "unterminated start tag")
	f(`<Event></Event`, "unterminated end tag")
	f(`<Event>`+strings.Repeat("<a>", maxDepth+1), "nested too deep")
}

// TestRoundTripEVTX renders every record of the shared EVTX files as XML
// with the EVTX decoder, parses the XML, and expects the same fields: the
// two inputs of a Windows event give one layout. A pretty-printed copy of
// the XML (whitespace between elements) must give them too.
func TestRoundTripEVTX(t *testing.T) {
	var files []string
	for _, dir := range []string{"evtx", "sigma-regression"} {
		root := testutil.SharedData(t, dir)
		_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && strings.HasSuffix(p, ".evtx") {
				files = append(files, p)
			}
			return err
		})
	}
	p := New()
	pretty := regexp.MustCompile(`><(System|EventData|UserData|Data|Provider|Channel|Computer)\b`)
	n := 0
	for _, path := range files {
		f, err := evtx.Open(path, evtx.Options{Original: true})
		if err != nil {
			t.Fatal(err)
		}
		var want event.Event
		for {
			_, err := f.Next(&want)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			for _, xml := range []string{want.Original, pretty.ReplaceAllString(want.Original, ">\n  <$1")} {
				got := parsetest.NewEvent(xml)
				if err := p.Parse([]byte(xml), got); err != nil {
					t.Fatalf("%s: %v\n%s", filepath.Base(path), err, xml)
				}
				if !sameFields(&want, got) {
					t.Fatalf("%s: fields differ\nevtx:   %s\nwinxml: %s\nxml: %s", filepath.Base(path),
						fieldsJSON(&want), fieldsJSON(got), xml)
				}
			}
		}
		f.Close()
	}
	t.Logf("%d records round-tripped", n)
}

func fieldsJSON(e *event.Event) string {
	c := event.Event{Timestamp: e.Timestamp, Fields: e.Fields}
	return string(c.AppendJSON(nil))
}

func sameFields(a, b *event.Event) bool {
	if !a.Timestamp.Equal(b.Timestamp) && !a.Timestamp.IsZero() || len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name || !a.Fields[i].Value.Equal(b.Fields[i].Value) {
			return false
		}
	}
	return true
}

func FuzzParse(f *testing.F) {
	f.Add(wec4624)
	f.Add(`<Event><UserData><X><A b="1">t</A></X></UserData></Event>`)
	f.Add(`<?xml version="1.0"?><Event><EventData><Data>&#x41;&amp;<![CDATA[x]]></Data></EventData></Event>`)
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		e := parsetest.NewEvent(in)
		if err := p.Parse([]byte(in), e); err != nil {
			if !errors.Is(err, formaterr.ErrFormat) {
				t.Fatalf("error not wrapping ErrFormat: %v", err)
			}
			return
		}
		parsetest.Check(t, e, in)
		// Parsing is deterministic and does not depend on earlier records.
		again := parsetest.NewEvent(in)
		if err := New().Parse([]byte(in), again); err != nil || !sameFields(e, again) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}
