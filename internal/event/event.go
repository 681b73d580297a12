package event

import (
	"strings"
	"time"
	"unsafe"
)

// Names of the envelope fields. They are struct fields of Event, not entries
// of Fields, but Get, Set and the encoders treat them as ordinary fields.
const (
	FieldTimestamp = "@timestamp"
	FieldIngested  = "event.ingested"
	FieldID        = "event.id"
	FieldOriginal  = "event.original"
	FieldTenant    = "vigil.tenant"
	FieldSource    = "vigil.source"
	FieldMessage   = "message"
)

// DefaultTenant is the tenant of sources that do not name one.
const DefaultTenant = "default"

// Field is one named value.
type Field struct {
	Name  string
	Value Value
}

// Event is one normalised event. The zero Event is empty and ready to use.
type Event struct {
	// Timestamp is the event time (@timestamp), UTC.
	Timestamp time.Time
	// Ingested is when Vigil received the record (event.ingested), UTC.
	Ingested time.Time
	// ID is the stable event id (event.id): see NewID.
	ID string
	// Tenant owns the event; storage and queries are isolated per tenant.
	Tenant string
	// Source is the name of the configured source that received it.
	Source string
	// Original is the record as received (event.original).
	Original string
	// Fields are the other fields in the order they were set; names are
	// unique. Code may append to it and change values in place; code that
	// removes, reorders or renames its entries directly must call Reindex
	// after (see nameIndex).
	Fields []Field

	ix nameIndex
}

// Reset empties e, keeping the capacity of Fields for reuse.
func (e *Event) Reset() {
	clear(e.Fields)
	*e = Event{Fields: e.Fields[:0]}
}

// Clone returns a deep copy of e that shares nothing mutable with it.
func (e *Event) Clone() *Event {
	c := *e
	c.Fields = make([]Field, len(e.Fields))
	copy(c.Fields, e.Fields)
	if e.ix.readable(e.Fields) {
		c.ix.base = unsafe.SliceData(c.Fields) // same names at the same places
	} else {
		c.ix.drop()
	}
	for i := range c.Fields {
		if l := c.Fields[i].Value.l; l != nil {
			c.Fields[i].Value.l = append([]string(nil), l...)
		}
	}
	return &c
}

// Get returns the value of the named field, envelope fields included.
func (e *Event) Get(name string) (Value, bool) {
	if i := e.find(name); i >= 0 {
		if indexCheck {
			e.checkFind(name, i)
		}
		return e.Fields[i].Value, true
	}
	if indexCheck {
		e.checkFind(name, -1)
	}
	if len(name) > 0 && (name[0] == '@' || name[0] == 'e' || name[0] == 'v') {
		return e.envelope(name)
	}
	return Value{}, false
}

func (e *Event) envelope(name string) (Value, bool) {
	switch name {
	case FieldTimestamp:
		if e.Timestamp.IsZero() {
			return Value{}, false
		}
		return Time(e.Timestamp), true
	case FieldIngested:
		if e.Ingested.IsZero() {
			return Value{}, false
		}
		return Time(e.Ingested), true
	case FieldID:
		return nonEmpty(e.ID)
	case FieldOriginal:
		return nonEmpty(e.Original)
	case FieldTenant:
		return nonEmpty(e.Tenant)
	case FieldSource:
		return nonEmpty(e.Source)
	}
	return Value{}, false
}

func nonEmpty(s string) (Value, bool) {
	if s == "" {
		return Value{}, false
	}
	return String(s), true
}

// GetList returns the items of the named field: a list's items, another
// value's Text as the one item, or nil when it is absent.
func (e *Event) GetList(name string) []string {
	v, ok := e.Get(name)
	if !ok {
		return nil
	}
	if v.kind == KindList {
		return v.List()
	}
	return []string{v.Text()}
}

// GetString returns the Text of the named field, or "" when it is absent.
func (e *Event) GetString(name string) string {
	v, ok := e.Get(name)
	if !ok {
		return ""
	}
	if v.kind == KindString || v.kind == KindIP {
		return v.s
	}
	return v.Text()
}

// Has reports whether the named field is present.
func (e *Event) Has(name string) bool {
	_, ok := e.Get(name)
	return ok
}

// Set sets the named field, replacing an earlier value in place (the field
// keeps its position). Envelope names set the envelope; a null value deletes.
func (e *Event) Set(name string, v Value) {
	if v.kind == KindNull {
		e.Delete(name)
		return
	}
	if e.setEnvelope(name, v) {
		return
	}
	fs := e.Fields
	if !e.sync() {
		for i := range fs {
			if fs[i].Name == name {
				fs[i].Value = v
				return
			}
		}
		e.Append(name, v)
		return
	}
	x := &e.ix
	h := nameHash(name)
	if p := x.lookupHash(fs, name, h); p >= 0 {
		fs[p].Value = v
		return
	}
	for i := int(x.n); i < len(fs); i++ { // beyond indexMax
		if fs[i].Name == name {
			fs[i].Value = v
			return
		}
	}
	n := len(fs)
	e.Fields = append(fs, Field{Name: name, Value: v})
	if n < indexMax { // the index covers all n fields (sync)
		x.insert(h, n)
		x.n++
	}
	x.base = unsafe.SliceData(e.Fields)
}

// findForWrite is find for a method that writes: it brings the index
// up to date first.
func (e *Event) findForWrite(name string) int {
	fs := e.Fields
	from := 0
	if e.sync() {
		if p := e.ix.lookup(fs, name); p >= 0 {
			return p
		}
		from = int(e.ix.n) // beyond indexMax
	}
	for i := from; i < len(fs); i++ {
		if fs[i].Name == name {
			return i
		}
	}
	return -1
}

// SetString sets a string field; an empty string is not set.
func (e *Event) SetString(name, s string) {
	if s == "" {
		return
	}
	e.Set(name, String(s))
}

// Append adds a field without checking for an earlier one of the same name.
// Parsers that know their names are unique use it on a fresh event.
func (e *Event) Append(name string, v Value) {
	x := &e.ix
	n := len(e.Fields)
	synced := x.n > 0 && int(x.n) == n && x.base == unsafe.SliceData(e.Fields)
	e.Fields = append(e.Fields, Field{Name: name, Value: v})
	switch {
	case synced && n < indexMax:
		x.base = unsafe.SliceData(e.Fields)
		x.insert(nameHash(name), n)
		x.n++
	case synced:
		x.base = unsafe.SliceData(e.Fields) // the field is scanned
	case n+1 == indexMin:
		e.sync()
	}
}

func (e *Event) setEnvelope(name string, v Value) bool {
	if len(name) == 0 || (name[0] != '@' && name[0] != 'e' && name[0] != 'v') {
		return false
	}
	switch name {
	case FieldTimestamp:
		if t, ok := asTime(v); ok {
			e.Timestamp = t
		}
	case FieldIngested:
		if t, ok := asTime(v); ok {
			e.Ingested = t
		}
	case FieldID:
		e.ID = v.Text()
	case FieldOriginal:
		e.Original = v.Text()
	case FieldTenant:
		e.Tenant = v.Text()
	case FieldSource:
		e.Source = v.Text()
	default:
		return false
	}
	return true
}

func asTime(v Value) (time.Time, bool) {
	switch v.kind {
	case KindTime:
		return v.Time(), true
	case KindString:
		if t, err := ParseTime(v.s); err == nil {
			return t, true
		}
	case KindInt, KindFloat:
		return EpochTime(v.Float()), true
	}
	return time.Time{}, false
}

// Delete removes the named field, keeping the order of the others.
func (e *Event) Delete(name string) {
	if p := e.findForWrite(name); p >= 0 {
		e.removeAt(p)
		return
	}
	switch name {
	case FieldTimestamp:
		e.Timestamp = time.Time{}
	case FieldIngested:
		e.Ingested = time.Time{}
	case FieldID:
		e.ID = ""
	case FieldOriginal:
		e.Original = ""
	case FieldTenant:
		e.Tenant = ""
	case FieldSource:
		e.Source = ""
	}
}

// Rename moves a field to a new name, replacing any field already there.
func (e *Event) Rename(from, to string) {
	v, ok := e.Get(from)
	if !ok || from == to {
		return
	}
	e.Delete(from)
	e.Set(to, v)
}

// Range calls fn for every present field, envelope first, in a stable
// order, until fn returns false.
func (e *Event) Range(fn func(name string, v Value) bool) {
	for _, name := range envelopeNames {
		if v, ok := e.envelope(name); ok {
			if !fn(name, v) {
				return
			}
		}
	}
	for _, f := range e.Fields {
		if !fn(f.Name, f.Value) {
			return
		}
	}
}

var envelopeNames = [...]string{FieldTimestamp, FieldIngested, FieldID, FieldTenant, FieldSource, FieldOriginal}

// IsEnvelope reports whether name is one of the envelope fields.
func IsEnvelope(name string) bool {
	for _, n := range envelopeNames {
		if n == name {
			return true
		}
	}
	return false
}

// Message returns the message field.
func (e *Event) Message() string { return e.GetString(FieldMessage) }

// HasPrefix reports whether any field name starts with prefix.
func (e *Event) HasPrefix(prefix string) bool {
	for _, f := range e.Fields {
		if strings.HasPrefix(f.Name, prefix) {
			return true
		}
	}
	return false
}
