package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse"
)

// `vigil parse` splits an Azure {"records":[…]} batch as serve does: one
// event per element, each with its own bytes as event.original and its
// own id.
func TestParseStreamSplitsBatchRecords(t *testing.T) {
	ps, err := parse.New("json", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := `{"time":"2024-05-10T11:37:47Z","category":"SignInLogs","n":1}`, `{"time":"2024-05-10T11:37:48Z","category":"SignInLogs","n":2}`
	in := `{"records":[` + a + `,` + b + `,` + a + "]}\n" + `{"message":"plain"}` + "\n"
	var out, errw bytes.Buffer
	failed, err := parseStream(strings.NewReader(in), &out, &errw, ps, parse.Options{}, nil, "default", "cli", "json")
	if err != nil || failed != 0 {
		t.Fatalf("failed %d, err %v, stderr %s", failed, err, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d events, want 4:\n%s", len(lines), out.String())
	}
	for i, want := range []string{a, b, a} {
		if !strings.Contains(lines[i], `"event.original":`+quoteJSON(want)) {
			t.Errorf("event %d = %s, want event.original %s", i, lines[i], want)
		}
	}
	if lines[0] == lines[2] {
		t.Error("repeated elements gave identical events (same id)")
	}
}

func quoteJSON(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// A CloudWatch Logs payload's messages are text: `vigil parse --format
// json` parses each as serve does (format auto), not as a JSON error.
func TestParseStreamSplitsCloudWatchText(t *testing.T) {
	ps, err := parse.New("json", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	line := `2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`
	in := `{"messageType":"DATA_MESSAGE","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":1,"message":"` + line + `"},{"id":"2","timestamp":1,"message":"{\"eventName\":\"x\"}"}]}` + "\n"
	var out, errw bytes.Buffer
	failed, err := parseStream(strings.NewReader(in), &out, &errw, ps, parse.Options{}, nil, "default", "cli", "json")
	if err != nil || failed != 0 {
		t.Fatalf("failed %d, err %v, stderr %s", failed, err, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event.original":`+quoteJSON(line)) || !strings.Contains(lines[1], `"eventName":"x"`) {
		t.Fatalf("events:\n%s", out.String())
	}
}

// `vigil parse` reads its input as the file source reads a file: a JSON
// array printed over several lines is one record, split per element.
func TestParseStreamPrettyJSON(t *testing.T) {
	ps, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := "[\n  {\n    \"user\": \"a\",\n    \"n\": 1\n  },\n  {\"user\": \"b\", \"n\": 2}\n]\nplain line\n"
	var out, errw bytes.Buffer
	failed, err := parseStream(strings.NewReader(in), &out, &errw, ps, parse.Options{}, nil, "default", "cli", "auto")
	if err != nil || failed != 0 {
		t.Fatalf("failed %d, err %v, stderr %s", failed, err, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"user":"a"`) || !strings.Contains(lines[1], `"user":"b"`) || !strings.Contains(lines[2], `"message":"plain line"`) {
		t.Fatalf("events:\n%s", out.String())
	}
}
