package file

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// A Zeek header as Zeek 6 writes it for a log whose columns are not in
// the order older releases had (ip_proto before proto, a set column).
const zeekHeader = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2024-05-10-11-00-00\n" +
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tip_proto\tproto\tservice\ttunnel_parents\tnote\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tenum\tstring\tset[string]\tstring\n"

func fieldsText(fs []event.Field) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Name + "=" + f.Value.Text() + ";")
	}
	return b.String()
}

func TestTSVHeader(t *testing.T) {
	var h TSVHeader
	var off int64
	for _, l := range strings.SplitAfter(zeekHeader, "\n") {
		if l == "" {
			continue
		}
		if !h.HeaderLine([]byte(strings.TrimSuffix(l, "\n")), off) {
			t.Fatalf("%q is not a header line", l)
		}
		off += int64(len(l))
	}
	f := func(line, want string) {
		t.Helper()
		if h.HeaderLine([]byte(line), off) {
			t.Fatalf("%q taken as a header line", line)
		}
		if got := fieldsText(h.AppendFields(nil, []byte(line))); got != want {
			t.Errorf("%q:\n got %s\nwant %s", line, got, want)
		}
	}
	f("1715341067.5\tCabc\t10.0.0.5\t51234\t2001:db8::9\t443\t6\ttcp\tssl\tCx,Cy\ta\\x09b",
		"_path=conn;ts=1715341067.5;uid=Cabc;id.orig_h=10.0.0.5;id.orig_p=51234;id.resp_h=2001:db8::9;id.resp_p=443;ip_proto=6;proto=tcp;service=ssl;tunnel_parents=Cx, Cy;note=a\tb;")
	f("1715341067.5\tCabc\t10.0.0.5\t51234\t10.0.0.9\t53\t17\tudp\t-\t(empty)\t-",
		"_path=conn;ts=1715341067.5;uid=Cabc;id.orig_h=10.0.0.5;id.orig_p=51234;id.resp_h=10.0.0.9;id.resp_p=53;ip_proto=17;proto=udp;")
	// Another number of columns than the header names: no names.
	f("1715341067.5\tCabc\t10.0.0.5", "")
	if !h.HeaderLine([]byte("#close\t2024-05-10-12-00-00"), off) {
		t.Error("#close is a header line")
	}
	// A file that does not begin with #separator has no header: its '#'
	// lines are records.
	var plain TSVHeader
	if plain.HeaderLine([]byte("# a comment"), 0) || plain.HeaderLine([]byte("#fields\ta\tb"), 12) {
		t.Error("a '#' line of a plain file taken as a header")
	}
	if got := plain.AppendFields(nil, []byte("x\ty")); len(got) != 0 {
		t.Errorf("plain file line has fields %s", fieldsText(got))
	}
}

func TestUnescapeTSV(t *testing.T) {
	for in, want := range map[string]string{`\x09`: "\t", `a\x2cb`: "a,b", `\x`: `\x`, `\xzz1`: `\xzz1`, `plain`: "plain", `end\x4`: `end\x4`} {
		if got := unescapeTSV(in); got != want {
			t.Errorf("unescapeTSV(%q) = %q, want %q", in, got, want)
		}
	}
}

// The tailer names the columns of a Zeek TSV file by its header, also
// after a restart that resumes past the header (read again from the
// file's start), and hands no header line on as a record.
func TestZeekTSVHeaderAcrossRestart(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	log := filepath.Join(dir, "conn.log")
	line := func(i int) string {
		return "1715341067.5\tC" + strings.Repeat("a", i+1) + "\t10.0.0.5\t51234\t10.0.0.9\t443\t6\ttcp\tssl\t(empty)\t-"
	}
	appendFile(t, log, zeekHeader+line(0)+"\n"+line(1)+"\n")
	cfg := Config{Paths: []string{filepath.Join(dir, "*.log")}}
	rec := &recorder{}
	r := start(t, cfg, data, rec)
	rec.waitLines(t, r, []string{line(0), line(1)})
	r.stop(t)
	appendFile(t, log, line(2)+"\n#close\t2024-05-10-12-00-00\n")
	rec2 := &recorder{}
	r2 := start(t, cfg, data, rec2)
	rec2.waitLines(t, r2, []string{line(2)})
	r2.stop(t)
	for _, recs := range [][]pipeline.Record{rec.records(), rec2.records()} {
		for _, rc := range recs {
			want := "_path=conn;ts=1715341067.5;uid=C" + strings.Repeat("a", strings.Count(string(rc.Data), "a")) +
				";id.orig_h=10.0.0.5;id.orig_p=51234;id.resp_h=10.0.0.9;id.resp_p=443;ip_proto=6;proto=tcp;service=ssl;"
			if got := fieldsText(rc.Fields); got != want {
				t.Errorf("%q:\n got %s\nwant %s", rc.Data, got, want)
			}
		}
	}
}
