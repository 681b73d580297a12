package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// `vigil parse < kerberos.log` reads a Zeek TSV log as the file source
// does: the header lines are no events, and each row is normalised with
// its columns named by the #fields header (a real Zeek 6 log of OTRF's
// LSASS campaign, whose kerberos rows the positional reading does not know).
func TestParseStreamZeekTSVHeader(t *testing.T) {
	zr, err := zip.OpenReader(testutil.SharedData(t, "otrf/datasets/compound/LSASS_campaign_01/metasploit_logonpasswords_lsass_memory_dump_zeek_logs.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var log []byte
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "kerberos.log") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			log, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	rows := 0
	for _, l := range strings.Split(string(log), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			rows++
		}
	}
	ps, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	procs, _, err := app.Processors(context.Background(), nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if failed, err := parseStream(bytes.NewReader(log), &out, &errw, ps, parse.Options{}, procs, "default", "cli", "auto"); err != nil || failed != 0 {
		t.Fatalf("failed %d, err %v: %s", failed, err, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != rows || rows == 0 {
		t.Fatalf("%d events for %d rows", len(lines), rows)
	}
	users := 0
	for _, l := range lines {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if e["event.dataset"] != "zeek.kerberos" {
			t.Fatalf("event.dataset %v: %s", e["event.dataset"], l)
		}
		if e["user.name"] == "stevie.marie" {
			users++
		}
	}
	if users == 0 {
		t.Error("no kerberos client named as user.name")
	}
}
