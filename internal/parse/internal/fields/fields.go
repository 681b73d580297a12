// Package fields owns how the record parsers add fields to an event:
// appending names known to be new without a search, replacing or collecting
// names that may repeat (key=value keys, JSON keys, structured-data
// parameters), and merging into an event that already had fields.
//
// event.Event.Set searches all fields on every call, which is quadratic for
// wide records; Writer searches only the fields added since Begin, and
// switches to a map index when there are many.
package fields

import "github.com/vigilsiem/vigil/internal/event"

// linearMax is the number of fields up to which Find searches linearly:
// below it, comparing names (length first) is cheaper than hashing them.
const linearMax = 8

// Writer adds fields to one event at a time. The zero Writer is ready to
// use after Begin. It keeps no reference to the event after End.
//
// Find uses a small chained hash table over the fields added since Begin,
// built lazily (fields appended behind its back are indexed on the next
// Find), keyed by a hash of a name's length and three of its bytes: no
// allocation, and clearing it costs one 1 KiB memclr per record that used it.
type Writer struct {
	e       *event.Event
	from    int
	indexed int // e.Fields[from:from+indexed] are in heads/next
	heads   [256]int32
	next    []int32
}

func hashName(s string) uint8 {
	if s == "" {
		return 0
	}
	return uint8(len(s)*131 + int(s[0])*31 + int(s[len(s)-1])*7 + int(s[len(s)/2]))
}

// Begin starts writing to e. Fields already in e are not searched by
// Find; End merges the new fields into them.
func (w *Writer) Begin(e *event.Event) {
	w.e = e
	w.from = len(e.Fields)
	w.dropIndex()
}

// Mark returns the number of fields of the event now: Truncate(Mark())
// undoes what was added after it.
func (w *Writer) Mark() int { return len(w.e.Fields) }

// Truncate removes the fields added after mark.
func (w *Writer) Truncate(mark int) {
	if mark < w.from {
		mark = w.from
	}
	clear(w.e.Fields[mark:])
	w.e.Fields = w.e.Fields[:mark]
	w.e.Reindex()
	w.dropIndex()
}

func (w *Writer) dropIndex() {
	if w.indexed > 0 {
		clear(w.heads[:])
		w.indexed = 0
	}
}

// End finishes writing. When the event had fields before Begin, a new field
// with the name of an old one replaces the old one's value in place.
func (w *Writer) End() {
	e := w.e
	w.e = nil
	w.dropIndex()
	if w.from == 0 {
		return
	}
	keep := e.Fields[:w.from]
	for _, f := range e.Fields[w.from:] {
		replaced := false
		for i := range keep[:w.from] {
			if keep[i].Name == f.Name {
				keep[i].Value = f.Value
				replaced = true
				break
			}
		}
		if !replaced {
			keep = append(keep, f)
		}
	}
	clear(e.Fields[len(keep):])
	e.Fields = keep
	e.Reindex()
}

// Append adds a field whose name the caller knows is not yet among the
// fields added since Begin.
func (w *Writer) Append(name string, v event.Value) {
	w.e.Fields = append(w.e.Fields, event.Field{Name: name, Value: v})
}

// Find returns the index in the event's Fields of the field added since
// Begin with the given name, or -1.
func (w *Writer) Find(name string) int {
	fs := w.e.Fields
	n := len(fs) - w.from
	if n <= linearMax && w.indexed == 0 {
		for i := w.from; i < len(fs); i++ {
			if fs[i].Name == name {
				return i
			}
		}
		return -1
	}
	for ; w.indexed < n; w.indexed++ {
		if w.indexed >= len(w.next) {
			w.next = append(w.next, make([]int32, w.indexed+1-len(w.next))...)
		}
		h := hashName(fs[w.from+w.indexed].Name)
		w.next[w.indexed] = w.heads[h]
		w.heads[h] = int32(w.indexed + 1)
	}
	for j := w.heads[hashName(name)]; j != 0; j = w.next[j-1] {
		if i := w.from + int(j) - 1; fs[i].Name == name {
			return i
		}
	}
	return -1
}

// Put sets a field, replacing the value of an earlier one of the same name.
func (w *Writer) Put(name string, v event.Value) {
	if i := w.Find(name); i >= 0 {
		w.e.Fields[i].Value = v
		return
	}
	w.Append(name, v)
}

// Collect sets a field; when one of the same name exists, the field becomes
// a list of the text of all values in order (repeated structured-data
// parameters, repeated keys).
func (w *Writer) Collect(name string, v event.Value) {
	i := w.Find(name)
	if i < 0 {
		w.Append(name, v)
		return
	}
	old := w.e.Fields[i].Value
	var items []string
	if old.Kind() == event.KindList {
		items = append(old.List(), v.Text())
	} else {
		items = []string{old.Text(), v.Text()}
	}
	w.e.Fields[i].Value = event.List(items)
}

// Remove deletes the field at index i (as returned by Find).
func (w *Writer) Remove(i int) {
	fs := w.e.Fields
	copy(fs[i:], fs[i+1:])
	fs[len(fs)-1] = event.Field{}
	w.e.Fields = fs[:len(fs)-1]
	w.e.Reindex()
	w.dropIndex()
}

// Rename changes the name of the field at index i (as returned by Find);
// the caller guarantees no field has the new name.
func (w *Writer) Rename(i int, name string) {
	w.e.Fields[i].Name = name
	w.e.Reindex()
	w.dropIndex()
}
