package evtx

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Velocidex/ordereddict"
	vevtx "www.velocidex.com/golang/evtx"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// The reference comparison: every record of every EVTX file in the shared
// data must decode to the same fields and values as
// www.velocidex.com/golang/evtx, an independent decoder, gives once its
// output is put in our layout.
//
// Where velocidex is wrong, the comparison knows exactly how, and says so:
//
//   - GUIDs (type 0x0F) come without the braces Windows writes.
//   - FILETIME values (0x11) come as float64 Unix seconds, which keeps only
//     about 0.2 µs of precision: they are compared to the microsecond.
//   - HexInt32/HexInt64 values (0x14, 0x15), Keywords among them, come as
//     plain integers: ours must be 0x-hex text of the same number.
//   - SYSTEMTIME values (0x12) put the milliseconds in the nanoseconds.
//   - Strings are cut at the last non-NUL character rather than the first
//     NUL (Windows and the Rust evtx crate stop at the first).
//   - String arrays (0x81) are split at every NUL, so they end with an
//     empty item for the terminating NUL; the item list is compared without it.
//     Windows shows an array as its element repeated per item: an unnamed
//     Data holding one gives param1, param2, …, a named one a list.
//   - Character and entity references (BinXML tokens 0x08/0x09) are not
//     decoded: a record holding one is compared only in its System part.
//   - Of several text pieces in one element (text around a reference, for
//     instance) only the last is kept.
//   - Int8 and Int16 values (0x03, 0x05) are not decoded: velocidex returns
//     their bytes as a string ("n" for the Int16 110).
//   - When every EventData/Data element has a Name, velocidex rebuilds
//     EventData from them alone and drops EventData/Binary and the Name
//     attribute of EventData itself (<EventData Name="TaskDisabled">).
//
// Empty values are absent from our layout (as Winlogbeat drops them), so
// the reference's empty strings and nulls are not expected.

// refFiles lists the .evtx files under the shared data folders.
func refFiles(t testing.TB) []string {
	var files []string
	for _, dir := range []string{"evtx", "sigma-regression"} {
		root := testutil.SharedData(t, dir)
		err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if !info.IsDir() && strings.HasSuffix(strings.ToLower(p), ".evtx") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(files)
	return files
}

type refRecord struct {
	id     uint64
	fields map[string]any
	// systemOnly: the record holds BinXML tokens velocidex does not decode.
	systemOnly bool
	// namedData: velocidex rebuilt EventData from named Data elements.
	namedData bool
}

// velocidexRecords decodes a file with the reference decoder.
func velocidexRecords(path string) ([]refRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	chunks, err := vevtx.GetChunks(f)
	if err != nil {
		return nil, err
	}
	var out []refRecord
	for _, c := range chunks {
		recs, err := c.Parse(0)
		if err != nil {
			return out, err
		}
		for _, r := range recs {
			rr := refRecord{id: r.Header.RecordID, fields: map[string]any{}}
			root, ok := r.Event.(*ordereddict.Dict)
			if !ok {
				continue
			}
			ev, ok := dictGet(root, "Event").(*ordereddict.Dict)
			if !ok {
				continue
			}
			rr.namedData = flattenReference(ev, rr.fields)
			out = append(out, rr)
		}
	}
	return out, nil
}

func dictGet(d *ordereddict.Dict, k string) any {
	v, _ := d.Get(k)
	return v
}

// flattenReference maps velocidex's dictionary of an event to our field
// names, keeping velocidex's Go values for a type-aware comparison. It
// reports whether velocidex rebuilt EventData from named Data elements.
func flattenReference(ev *ordereddict.Dict, out map[string]any) (namedData bool) {
	if sys, ok := dictGet(ev, "System").(*ordereddict.Dict); ok {
		for _, k := range sys.Keys() {
			v := dictGet(sys, k)
			attrs := func(m map[string]string) {
				if d, ok := v.(*ordereddict.Dict); ok {
					for a, name := range m {
						if x, ok := d.Get(a); ok {
							out[name] = x
						}
					}
				}
			}
			switch k {
			case "Provider":
				attrs(map[string]string{"Name": FieldProviderName, "Guid": FieldProviderGUID, "EventSourceName": FieldEventSource})
			case "EventID":
				if d, ok := v.(*ordereddict.Dict); ok {
					v = dictGet(d, "Value")
				}
				out[FieldEventID] = v
				out[FieldEventCode] = v
			case "Version":
				out[FieldVersion] = v
			case "Level":
				out[FieldLevel] = v
			case "Task":
				out[FieldTask] = v
			case "Opcode":
				out[FieldOpcode] = v
			case "Keywords":
				out[FieldKeywords] = hexNumber{v}
			case "TimeCreated":
				attrs(map[string]string{"SystemTime": event.FieldTimestamp})
			case "EventRecordID":
				out[FieldRecordID] = v
			case "Correlation":
				attrs(map[string]string{"ActivityID": FieldActivityID, "RelatedActivityID": FieldRelatedActivityID})
			case "Execution":
				attrs(map[string]string{"ProcessID": FieldProcessPID, "ThreadID": FieldThreadID})
			case "Channel":
				out[FieldChannel] = v
			case "Computer":
				out[FieldComputerName] = v
				out[FieldHostName] = v
			case "Security":
				attrs(map[string]string{"UserID": FieldUserIdentifier})
			}
		}
	}
	if ed, ok := dictGet(ev, "EventData").(*ordereddict.Dict); ok {
		_, hasData := ed.Get("Data")
		_, hasBinary := ed.Get("Binary")
		namedData = ed.Len() > 0 && !hasData && !hasBinary
		for _, k := range ed.Keys() {
			v := dictGet(ed, k)
			if k != "Data" {
				flattenNested(PrefixEventData+k, v, out)
				continue
			}
			// Data elements without names (or not all named): a list.
			items, ok := v.([]any)
			if arr, isArr := v.([]string); isArr {
				// One unnamed Data holding an array: Windows repeats
				// the element per item.
				for _, s := range trimArray(arr) {
					items = append(items, s)
				}
				ok = true
			}
			if !ok {
				items = []any{v}
			}
			for i, it := range items {
				name := PrefixEventData + "param" + strconv.Itoa(i+1)
				if d, ok := it.(*ordereddict.Dict); ok {
					if n, ok := dictGet(d, "Name").(string); ok && n != "" {
						name = PrefixEventData + n
					}
					it = dictGet(d, "Value")
				}
				out[name] = it
			}
		}
	}
	if ud, ok := dictGet(ev, "UserData").(*ordereddict.Dict); ok {
		for _, k := range ud.Keys() {
			if w, ok := dictGet(ud, k).(*ordereddict.Dict); ok {
				for _, c := range w.Keys() {
					flattenNested(PrefixUserData+c, dictGet(w, c), out)
				}
			}
		}
	}
	return namedData
}

func flattenNested(name string, v any, out map[string]any) {
	if d, ok := v.(*ordereddict.Dict); ok {
		for _, k := range d.Keys() {
			if k == "Value" {
				flattenNested(name, dictGet(d, k), out)
			} else {
				flattenNested(name+"."+k, dictGet(d, k), out)
			}
		}
		return
	}
	out[name] = v
}

// hexNumber marks a reference value that Windows shows in hex.
type hexNumber struct{ v any }

var guidRE = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)

// sameValue reports whether our value matches the reference's, by the
// rules in the comment at the top of this file.
func sameValue(name string, ref any, ours event.Value) (bool, string) {
	text := ours.Text()
	if ours.Kind() == event.KindTime {
		text = ours.Time().Format(time.RFC3339Nano)
	}
	switch r := ref.(type) {
	case hexNumber:
		if s, ok := r.v.(string); ok {
			return s == text, s
		}
		n, ok := refUint(r.v)
		return ok && text == "0x"+strconv.FormatUint(n, 16), fmt.Sprint(r.v)
	case string:
		r = strings.TrimRight(r, "\x00")
		if name == event.FieldTimestamp {
			t, err := time.Parse(time.RFC3339Nano, r)
			return err == nil && t.Equal(ours.Time()), r
		}
		if guidRE.MatchString(r) && text == "{"+r+"}" {
			return true, r
		}
		if sys, ok := velocidexSystemTime(r); ok {
			return sys == text, r
		}
		if r != text && len(r) <= 2 {
			// An Int8 or Int16 as its raw bytes.
			if n, err := strconv.ParseInt(text, 10, 16); err == nil {
				raw := strings.TrimRight(string([]byte{byte(n), byte(n >> 8)}), "\x00")
				return raw == r, r
			}
		}
		return r == text, r
	case float64:
		// FILETIME as Unix seconds: compare to the microsecond.
		var t time.Time
		if ours.Kind() == event.KindTime {
			t = ours.Time()
		} else if tt, err := time.Parse(time.RFC3339Nano, text); err == nil {
			t = tt
		} else {
			f, err := strconv.ParseFloat(text, 64)
			return err == nil && f == r, fmt.Sprint(r)
		}
		got := float64(t.UnixNano()) / 1e9
		return math.Abs(got-r) < 1e-6, fmt.Sprint(r)
	case bool:
		return strconv.FormatBool(r) == text, fmt.Sprint(r)
	case []byte:
		return strings.ToUpper(fmt.Sprintf("%x", r)) == text, fmt.Sprintf("%X", r)
	case []string:
		items := trimArray(r)
		var got []string
		if ours.Kind() == event.KindList {
			got = ours.List()
		} else {
			got = []string{text}
		}
		return strings.Join(items, "\x00") == strings.Join(got, "\x00"), strings.Join(items, "|")
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		want := fmt.Sprint(r)
		if text == want {
			return true, want
		}
		if n, ok := refUint(r); ok && strings.HasPrefix(text, "0x") {
			// HexInt32/64 that velocidex returns as an integer.
			return text == "0x"+strconv.FormatUint(n, 16), want
		}
		return false, want
	}
	return false, fmt.Sprintf("%T %v", ref, ref)
}

// trimArray drops the empty item velocidex leaves after the NUL that ends
// a string array.
func trimArray(items []string) []string {
	if len(items) > 0 && items[len(items)-1] == "" {
		return items[:len(items)-1]
	}
	return items
}

func refUint(v any) (uint64, bool) {
	switch n := v.(type) {
	case uint8:
		return uint64(n), true
	case uint16:
		return uint64(n), true
	case uint32:
		return uint64(n), true
	case uint64:
		return n, true
	case int32:
		return uint64(uint32(n)), true
	case int64:
		return uint64(n), true
	}
	return 0, false
}

// velocidexSystemTime recognises velocidex's SYSTEMTIME rendering (Go's
// time.String with the milliseconds as nanoseconds) and returns the text
// Windows shows.
func velocidexSystemTime(s string) (string, bool) {
	t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", s)
	if err != nil || !strings.HasSuffix(s, " +0000 UTC") {
		return "", false
	}
	ms := t.Nanosecond()
	t = t.Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
	return string(appendTime7(nil, t)), true
}

// isEmptyRef reports whether a reference value is one our layout leaves out.
func isEmptyRef(v any) bool {
	switch r := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimRight(r, "\x00") == ""
	case []byte:
		return len(r) == 0
	case []string:
		return len(r) == 0 || len(r) == 1 && r[0] == ""
	case *ordereddict.Dict:
		return r.Len() == 0
	}
	return false
}

// derived fields our layout adds that have no reference counterpart.
var derived = map[string]bool{FieldLogLevel: true, FieldData: true}

func TestReferenceVelocidex(t *testing.T) {
	files := refFiles(t)
	if len(files) == 0 {
		t.Fatal("no evtx files in the shared data")
	}
	var records, systemOnly int
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(path)), path)
		ref, refErr := velocidexRecords(path)
		ours, st, err := decodeAll(path)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if st.Problems > 0 {
			t.Logf("%s: %d problems, first: %v", rel, st.Problems, st.Details[0])
		}
		if refErr != nil {
			t.Logf("%s: velocidex: %v", rel, refErr)
		}
		byID := map[uint64]*event.Event{}
		for i := range ours {
			byID[ours[i].id] = ours[i].e
		}
		if len(ref) != len(ours) {
			t.Errorf("%s: %d records, velocidex %d", rel, len(ours), len(ref))
		}
		for _, rr := range ref {
			e, ok := byID[rr.id]
			if !ok {
				t.Errorf("%s: record %d: velocidex decodes it, we do not", rel, rr.id)
				continue
			}
			records++
			if rr.systemOnly = hasReferences(e); rr.systemOnly {
				systemOnly++
			}
			compareRecord(t, rel, rr, e)
		}
	}
	t.Logf("%d files, %d records compared (%d in their System part only)", len(files), records, systemOnly)
}

// hasReferences reports whether the XML of the record holds character or
// entity references, which velocidex does not decode.
func hasReferences(e *event.Event) bool {
	return e.HasPrefix(refMarker)
}

// refMarker is never a field name: hasReferences is set by decodeAll.
const refMarker = "\x00references"

type decoded struct {
	id uint64
	e  *event.Event
}

// decodeAll decodes every record of a file with our reader. Records whose
// BinXML holds character or entity references get a marker field.
func decodeAll(path string) ([]decoded, Stats, error) {
	f, err := Open(path, Options{})
	if err != nil {
		return nil, Stats{}, err
	}
	defer f.Close()
	var out []decoded
	for {
		e := &event.Event{}
		rec, err := f.Next(e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, f.Stats(), err
		}
		if f.dec.refs {
			e.Append(refMarker, event.Bool(true))
		}
		out = append(out, decoded{rec.ID, e})
	}
	return out, f.Stats(), nil
}

func compareRecord(t *testing.T, file string, rr refRecord, e *event.Event) {
	t.Helper()
	seen := map[string]bool{refMarker: true}
	for name, want := range rr.fields {
		if rr.systemOnly && (strings.HasPrefix(name, PrefixEventData) || strings.HasPrefix(name, PrefixUserData)) {
			continue
		}
		if d, ok := strings.CutPrefix(name, PrefixEventData); ok {
			name = PrefixEventData + DataName(d) // "Threat Name" is ThreatName
		}
		seen[name] = true
		got, ok := e.Get(name)
		if isEmptyRef(want) {
			if ok {
				t.Errorf("%s: record %d: %s = %q, velocidex has it empty", file, rr.id, name, got.Text())
			}
			continue
		}
		if !ok {
			t.Errorf("%s: record %d: %s missing, velocidex has %v", file, rr.id, name, want)
			continue
		}
		if same, w := sameValue(name, want, got); !same {
			t.Errorf("%s: record %d: %s = %q, velocidex %q (%T)", file, rr.id, name, got.Text(), w, want)
		}
	}
	e.Range(func(name string, v event.Value) bool {
		if seen[name] || derived[name] {
			return true
		}
		if rr.namedData && (name == PrefixEventData+"Binary" || name == PrefixEventData+"Name") {
			return true
		}
		if rr.systemOnly && (strings.HasPrefix(name, PrefixEventData) || strings.HasPrefix(name, PrefixUserData)) {
			return true
		}
		t.Errorf("%s: record %d: %s = %q, velocidex does not have it", file, rr.id, name, v.Text())
		return true
	})
}
