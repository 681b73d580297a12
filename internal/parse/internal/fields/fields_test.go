package fields

import (
	"strconv"
	"testing"
	"unsafe"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestWriter(t *testing.T) {
	for _, n := range []int{1, linearMax, linearMax + 1, 300} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			e := &event.Event{}
			var w Writer
			w.Begin(e)
			for i := 0; i < n; i++ {
				w.Put("f"+strconv.Itoa(i), event.Int(int64(i)))
			}
			for i := 0; i < n; i++ {
				w.Put("f"+strconv.Itoa(i), event.Int(int64(-i)))
			}
			w.Collect("f0", event.String("x"))
			w.Collect("f0", event.String("y"))
			w.Collect("new", event.String("z"))
			w.End()
			if len(e.Fields) != n+1 {
				t.Fatalf("%d fields, want %d", len(e.Fields), n+1)
			}
			for i := 1; i < n; i++ {
				if v, _ := e.Get("f" + strconv.Itoa(i)); v.Int() != int64(-i) {
					t.Fatalf("f%d = %v", i, v)
				}
			}
			if got := e.GetString("f0"); got != "0, x, y" {
				t.Errorf("f0 = %q", got)
			}
		})
	}
}

func TestWriterMergesIntoExistingFields(t *testing.T) {
	e := &event.Event{}
	e.Set("a", event.Int(1))
	e.Set("b", event.Int(2))
	var w Writer
	w.Begin(e)
	w.Append("b", event.Int(20))
	w.Append("c", event.Int(30))
	if w.Find("a") >= 0 {
		t.Errorf("Find sees fields from before Begin")
	}
	w.End()
	want := []string{"a=1", "b=20", "c=30"}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields %v", e.Fields)
	}
	for i, f := range e.Fields {
		if got := f.Name + "=" + f.Value.Text(); got != want[i] {
			t.Errorf("field %d = %s, want %s", i, got, want[i])
		}
	}
}

func TestWriterTruncateRemoveRename(t *testing.T) {
	e := &event.Event{}
	var w Writer
	w.Begin(e)
	for i := 0; i < 40; i++ {
		w.Put("k"+strconv.Itoa(i), event.Int(int64(i)))
	}
	mark := w.Mark()
	w.Put("later", event.Int(1))
	w.Truncate(mark)
	if w.Find("later") >= 0 || len(e.Fields) != 40 {
		t.Fatalf("Truncate left %d fields", len(e.Fields))
	}
	w.Remove(w.Find("k3"))
	if w.Find("k3") >= 0 || w.Find("k4") != 3 {
		t.Fatalf("Remove: k3 at %d, k4 at %d", w.Find("k3"), w.Find("k4"))
	}
	w.Rename(w.Find("k4"), "four")
	if w.Find("k4") >= 0 || w.Find("four") != 3 {
		t.Fatalf("Rename failed")
	}
	w.End()
}

func TestProtectAndNames(t *testing.T) {
	for in, want := range map[string]string{
		"event.id": "kv.event.id", "vigil.tenant": "kv.vigil.tenant", "@timestamp": "kv.@timestamp",
		"event.code": "event.code", "message": "message", "vigil": "vigil",
	} {
		if got := Protect("kv", in); got != want {
			t.Errorf("Protect(%q) = %q, want %q", in, got, want)
		}
	}
	c := Names{Prefix: "p."}
	if first, cached := c.Get("a"), c.Get("a"); first != "p.a" || cached != "p.a" {
		t.Errorf("Names.Get")
	}
	for i := 0; i < namesMax+10; i++ {
		c.Get(strconv.Itoa(i))
	}
	if len(c.m) > namesMax {
		t.Errorf("cache grew to %d", len(c.m))
	}
}

func TestText(t *testing.T) {
	data := []byte("record")
	e := &event.Event{Original: "record"}
	if s := Text(data, e); s != "record" || unsafe.StringData(s) != unsafe.StringData(e.Original) {
		t.Errorf("Text = %q, not sliced from e.Original", s)
	}
	e.Original = "other"
	if s := Text(data, e); s != "record" || unsafe.StringData(s) == &data[0] {
		t.Errorf("Text = %q, sharing data", s)
	}
}
