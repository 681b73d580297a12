package evtx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestRegressionJSON compares our fields with the JSON renderings stored
// beside each EVTX of the Sigma regression data. They were made by the
// Rust evtx crate (evtx_dump -o json), a second independent decoder whose
// text for hex integers, SIDs and strings is exactly Windows'. Its only
// differences from Windows' XML: GUIDs have no braces, times have six
// fraction digits instead of seven, integers are JSON numbers, and text
// loses its leading and trailing whitespace (the crate trims text since
// omerbenamram/evtx issue #249; Windows keeps the space Sysmon leaves after
// many command lines, and so do we and velocidex).
func TestRegressionJSON(t *testing.T) {
	root := testutil.SharedData(t, "sigma-regression")
	var jsons []string
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			jsons = append(jsons, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, jp := range jsons {
		evtxPath := strings.TrimSuffix(jp, ".json") + ".evtx"
		if _, err := os.Stat(evtxPath); err != nil {
			continue
		}
		name := filepath.Base(filepath.Dir(jp))
		ours, _, err := decodeAll(evtxPath)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		byID := map[int64]*event.Event{}
		for _, d := range ours {
			if v, ok := d.e.Get(FieldRecordID); ok {
				byID[v.Int()] = d.e
			}
		}
		raw, err := os.ReadFile(jp)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s: %v", jp, err)
				break
			}
			want := map[string]any{}
			flattenRust(doc, want)
			id, ok := want[FieldRecordID].(json.Number)
			if !ok {
				t.Errorf("%s: a rendering without EventRecordID", name)
				continue
			}
			n, _ := id.Int64()
			e, ok := byID[n]
			if !ok {
				t.Errorf("%s: record %d is in the JSON, not in our decoding", name, n)
				continue
			}
			compared++
			for field, w := range want {
				got, ok := e.Get(field)
				if w == nil {
					if ok {
						t.Errorf("%s: record %d: %s = %q, the JSON has null", name, n, field, got.Text())
					}
					continue
				}
				if !ok {
					t.Errorf("%s: record %d: %s missing, the JSON has %v", name, n, field, w)
					continue
				}
				if !sameRust(w, got) {
					t.Errorf("%s: record %d: %s = %q, the JSON has %v", name, n, field, got.Text(), w)
				}
			}
		}
	}
	if compared == 0 {
		t.Fatal("no rendering compared")
	}
	t.Logf("%d records compared with their JSON rendering", compared)
}

// flattenRust maps the Rust crate's JSON of an event to our field names.
func flattenRust(doc map[string]any, out map[string]any) {
	ev, _ := doc["Event"].(map[string]any)
	attrs := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		a, _ := m["#attributes"].(map[string]any)
		return a
	}
	text := func(v any) any {
		if m, ok := v.(map[string]any); ok {
			return m["#text"]
		}
		return v
	}
	if sys, ok := ev["System"].(map[string]any); ok {
		for k, v := range sys {
			a := attrs(v)
			switch k {
			case "Provider":
				out[FieldProviderName] = a["Name"]
				if g, ok := a["Guid"]; ok {
					out[FieldProviderGUID] = g
				}
				if s, ok := a["EventSourceName"]; ok {
					out[FieldEventSource] = s
				}
			case "EventID":
				out[FieldEventID] = text(v)
				out[FieldEventCode] = text(v)
			case "Version":
				out[FieldVersion] = v
			case "Level":
				out[FieldLevel] = v
			case "Task":
				out[FieldTask] = v
			case "Opcode":
				out[FieldOpcode] = v
			case "Keywords":
				out[FieldKeywords] = v
			case "TimeCreated":
				out[event.FieldTimestamp] = a["SystemTime"]
			case "EventRecordID":
				out[FieldRecordID] = v
			case "Correlation":
				if id, ok := a["ActivityID"]; ok {
					out[FieldActivityID] = id
				}
				if id, ok := a["RelatedActivityID"]; ok {
					out[FieldRelatedActivityID] = id
				}
			case "Execution":
				out[FieldProcessPID] = a["ProcessID"]
				out[FieldThreadID] = a["ThreadID"]
			case "Channel":
				out[FieldChannel] = v
			case "Computer":
				out[FieldComputerName] = v
				out[FieldHostName] = v
			case "Security":
				if u, ok := a["UserID"]; ok {
					out[FieldUserIdentifier] = u
				}
			}
		}
	}
	if ed, ok := ev["EventData"].(map[string]any); ok {
		for k, v := range ed {
			if k == "#attributes" {
				continue
			}
			if k == "Data" {
				items, ok := v.([]any)
				if !ok {
					items = []any{v}
				}
				for i, it := range items {
					out[fmt.Sprintf("%sparam%d", PrefixEventData, i+1)] = text(it)
				}
				continue
			}
			out[PrefixEventData+k] = v
		}
	}
	if ud, ok := ev["UserData"].(map[string]any); ok {
		for _, w := range ud {
			if wm, ok := w.(map[string]any); ok {
				for k, v := range wm {
					if k != "#attributes" {
						out[PrefixUserData+k] = v
					}
				}
			}
		}
	}
}

// sameRust compares a value of the Rust crate's JSON with ours.
func sameRust(want any, got event.Value) bool {
	text := got.Text()
	switch w := want.(type) {
	case json.Number:
		return w.String() == text
	case bool:
		return fmt.Sprint(w) == text
	case string:
		if w == text || guidRE.MatchString(w) && text == "{"+w+"}" {
			return true
		}
		if w == strings.TrimSpace(text) {
			return true
		}
		// Times: six fraction digits against our seven (or a time value).
		wt, err := time.Parse(time.RFC3339Nano, w)
		if err != nil {
			return false
		}
		gt := got.Time()
		if got.Kind() != event.KindTime {
			if gt, err = time.Parse(time.RFC3339Nano, text); err != nil {
				return false
			}
		}
		return wt.Equal(gt.Truncate(time.Microsecond))
	case []any:
		items := got.List()
		if got.Kind() != event.KindList {
			items = []string{text}
		}
		if len(items) != len(w) {
			return false
		}
		for i := range w {
			if !sameRust(w[i], event.String(items[i])) {
				return false
			}
		}
		return true
	}
	return false
}
