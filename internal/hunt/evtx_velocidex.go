package hunt

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/Velocidex/ordereddict"
	vevtx "www.velocidex.com/golang/evtx"

	"github.com/vigilsiem/vigil/internal/event"
)

// ReadEVTX decodes every record of an EVTX file into the Windows field
// layout (winlog.*, winlog.event_data.*, host.name, event.code, @timestamp)
// and calls fn with each. It uses www.velocidex.com/golang/evtx until
// Vigil's own decoder (internal/parse/evtx) lands; velocidex loses the
// XML rendering of HexInt values (they come out decimal).
func ReadEVTX(r io.ReadSeeker, name string, fn func(*event.Event) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decode evtx %s: bug in the decoder: %v", name, p)
		}
	}()
	chunks, err := vevtx.GetChunks(r)
	if err != nil {
		return fmt.Errorf("read evtx %s: %w", name, err)
	}
	var firstErr error
	for ci, c := range chunks {
		recs, err := c.Parse(0)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("read evtx %s: chunk %d: %w", name, ci, err)
		}
		for _, rec := range recs {
			root, ok := rec.Event.(*ordereddict.Dict)
			if !ok {
				continue
			}
			ev, ok := dictGet(root, "Event").(*ordereddict.Dict)
			if !ok {
				continue
			}
			e := &event.Event{}
			flattenVelocidex(ev, e)
			if e.Timestamp.IsZero() {
				e.Timestamp = time.Unix(int64(rec.Header.FileTime)/1e7-11644473600, 0).UTC()
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return firstErr
}

func dictGet(d *ordereddict.Dict, k string) any {
	v, _ := d.Get(k)
	return v
}

func flattenVelocidex(ev *ordereddict.Dict, e *event.Event) {
	if sys, ok := dictGet(ev, "System").(*ordereddict.Dict); ok {
		for _, k := range sys.Keys() {
			v := dictGet(sys, k)
			attr := func(a string) any {
				if d, ok := v.(*ordereddict.Dict); ok {
					return dictGet(d, a)
				}
				return nil
			}
			switch k {
			case "Provider":
				setText(e, "winlog.provider_name", attr("Name"))
				setText(e, "winlog.provider_guid", attr("Guid"))
			case "EventID":
				if d, ok := v.(*ordereddict.Dict); ok {
					v = dictGet(d, "Value")
				}
				if n, ok := toInt(v); ok {
					e.Set("winlog.event_id", event.Int(n))
					e.Set("event.code", event.String(strconv.FormatInt(n, 10)))
				}
			case "Version", "Level", "Task", "Opcode", "EventRecordID":
				name := map[string]string{"Version": "winlog.version", "Level": "winlog.level", "Task": "winlog.task",
					"Opcode": "winlog.opcode", "EventRecordID": "winlog.record_id"}[k]
				if n, ok := toInt(v); ok {
					e.Set(name, event.Int(n))
				}
			case "Keywords":
				if n, ok := toInt(v); ok {
					e.Set("winlog.keywords", event.String("0x"+strconv.FormatUint(uint64(n), 16)))
				} else {
					setText(e, "winlog.keywords", v)
				}
			case "TimeCreated":
				if f, ok := attr("SystemTime").(float64); ok {
					sec, frac := math.Modf(f)
					e.Timestamp = time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
				}
			case "Execution":
				if n, ok := toInt(attr("ProcessID")); ok {
					e.Set("winlog.process.pid", event.Int(n))
				}
				if n, ok := toInt(attr("ThreadID")); ok {
					e.Set("winlog.process.thread.id", event.Int(n))
				}
			case "Channel":
				setText(e, "winlog.channel", v)
			case "Computer":
				setText(e, "winlog.computer_name", v)
				setText(e, "host.name", v)
			case "Security":
				setText(e, "winlog.user.identifier", attr("UserID"))
			}
		}
	}
	if ed, ok := dictGet(ev, "EventData").(*ordereddict.Dict); ok {
		for _, k := range ed.Keys() {
			v := dictGet(ed, k)
			if k != "Data" {
				setNested(e, "winlog.event_data."+k, v)
				continue
			}
			items, ok := v.([]any)
			if !ok {
				items = []any{v}
			}
			for i, it := range items {
				name := "winlog.event_data.param" + strconv.Itoa(i+1)
				if d, ok := it.(*ordereddict.Dict); ok {
					if n, ok := dictGet(d, "Name").(string); ok && n != "" {
						name = "winlog.event_data." + n
					}
					it = dictGet(d, "Value")
				}
				setText(e, name, it)
			}
		}
	}
	if ud, ok := dictGet(ev, "UserData").(*ordereddict.Dict); ok {
		for _, k := range ud.Keys() {
			if w, ok := dictGet(ud, k).(*ordereddict.Dict); ok {
				for _, c := range w.Keys() {
					setNested(e, "winlog.user_data."+c, dictGet(w, c))
				}
			}
		}
	}
}

func setNested(e *event.Event, name string, v any) {
	if d, ok := v.(*ordereddict.Dict); ok {
		for _, k := range d.Keys() {
			if k == "Value" {
				setNested(e, name, dictGet(d, k))
			} else {
				setNested(e, name+"."+k, dictGet(d, k))
			}
		}
		return
	}
	setText(e, name, v)
}

var guidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// setText sets a field to the text Windows shows for a velocidex value.
func setText(e *event.Event, name string, v any) {
	switch x := v.(type) {
	case nil:
		return
	case string:
		x = strings.TrimRight(x, "\x00")
		if guidRE.MatchString(x) {
			x = "{" + strings.ToUpper(x) + "}"
		}
		e.SetString(name, x)
	case []string:
		items := x
		if len(items) > 0 && items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
		if len(items) > 0 {
			e.Set(name, event.List(append([]string(nil), items...)))
		}
	case []byte:
		if len(x) > 0 {
			e.SetString(name, strings.ToUpper(fmt.Sprintf("%x", x)))
		}
	case bool:
		e.SetString(name, strconv.FormatBool(x))
	case float64:
		sec, frac := math.Modf(x)
		e.SetString(name, time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC().Format("2006-01-02T15:04:05.0000000Z"))
	case *ordereddict.Dict:
		setNested(e, name, x)
	default:
		if n, ok := toInt(x); ok {
			e.SetString(name, strconv.FormatInt(n, 10))
			return
		}
		e.SetString(name, fmt.Sprint(x))
	}
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), true
	case float64:
		return int64(n), n == math.Trunc(n)
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}
