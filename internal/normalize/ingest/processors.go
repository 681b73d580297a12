package ingest

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// builder compiles one processor's options into its run function.
type builder func(opts *yaml.Node, cm common) (func(e *event.Event) error, error)

var processors map[string]builder

func init() {
	processors = map[string]builder{
		"grok": buildGrok, "dissect": buildDissect, "kv": buildKV, "csv": buildCSV, "json": buildJSON,
		"date": buildDate, "rename": buildRename, "set": buildSet, "copy": buildCopy, "convert": buildConvert,
		"lowercase": buildCase(strings.ToLower), "uppercase": buildCase(strings.ToUpper), "trim": buildCase(strings.TrimSpace),
		"split": buildSplit, "gsub": buildGsub, "append": buildAppend, "remove": buildRemove,
		"drop": buildDrop, "fail": buildFail, "lookup": buildLookup, "cidr": buildCIDR,
		"urldecode": buildDecode("urldecode", appendURLDecoded), "base64decode": buildDecode("base64decode", appendBase64Decoded),
		"hexdecode": buildHexDecode,
	}
}

func processorNames() []string {
	names := make([]string, 0, len(processors))
	for n := range processors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// errMissing is the failure of a step whose field is absent.
func errMissing(field string) error { return fmt.Errorf("field %s is missing", field) }

// missing is what a step returns when its field is absent: nothing with
// ignore_missing, otherwise errMissing.
func (c common) missing(field string) error {
	if c.IgnoreMissing {
		return nil
	}
	return errMissing(field)
}

// text returns the field's value as text.
func text(e *event.Event, name string) (string, bool) {
	if name == FieldRaw {
		return body(e)
	}
	if name == event.FieldOriginal {
		s := recordText(e)
		return s, s != ""
	}
	v, ok := e.Get(name)
	if !ok {
		if name == event.FieldMessage {
			return body(e)
		}
		return "", false
	}
	if k := v.Kind(); k == event.KindString || k == event.KindIP {
		return v.Str(), true
	}
	return v.Text(), true
}

func need(name, what string) error {
	if name == "" {
		return fmt.Errorf("%s is required", what)
	}
	return nil
}

// --- rename, copy, set, remove, append ----------------------------------

type renameOpts struct {
	Field       string            `yaml:"field"`
	TargetField string            `yaml:"target_field"`
	Fields      map[string]string `yaml:"fields"`
	// RestPrefix moves every other field without a dot in its name (the
	// raw keys of a JSON or key=value record), message excepted, under
	// this prefix.
	RestPrefix string `yaml:"rest_prefix"`
	// Prefix moves every field whose name starts with From to To plus the
	// last segment of its name (after the last dot): RFC 5424 structured
	// data whose SD-ID varies, log.syslog.structured_data.junos@2636.1.1.1.2.26.source-address
	// → junos.source-address. With KeepPath the whole rest of the name
	// after From is kept instead (requestParameters.a.b →
	// aws.cloudtrail.flattened.request_parameters.a.b).
	Prefix *struct {
		From     string `yaml:"from"`
		To       string `yaml:"to"`
		KeepPath bool   `yaml:"keep_path"`
	} `yaml:"prefix"`
}

func buildRename(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o renameOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if o.Field != "" {
		if o.TargetField == "" {
			return nil, fmt.Errorf("target_field is required with field")
		}
		if o.Fields == nil {
			o.Fields = map[string]string{}
		}
		o.Fields[o.Field] = o.TargetField
	}
	if o.Prefix != nil {
		if o.Prefix.From == "" || len(o.Fields) > 0 || o.RestPrefix != "" {
			return nil, fmt.Errorf("prefix: give from (and to), without fields or rest_prefix")
		}
		from, to, keep := o.Prefix.From, o.Prefix.To, o.Prefix.KeepPath
		names := newNameCache(func(n string) string {
			if keep {
				return to + n[len(from):]
			}
			return to + n[strings.LastIndexByte(n, '.')+1:]
		})
		return func(e *event.Event) error {
			moved := false
			for i := range e.Fields {
				n := e.Fields[i].Name
				if !strings.HasPrefix(n, from) || keep && len(n) == len(from) {
					continue
				}
				e.Fields[i].Name = names.name(n)
				moved = true
			}
			if moved { // the index of names is rebuilt only when one changed
				e.Reindex()
			}
			return nil
		}, nil
	}
	if len(o.Fields) == 0 && o.RestPrefix == "" {
		return nil, fmt.Errorf("give field and target_field, or fields: {from: to}")
	}
	if len(o.Fields) == 1 && o.RestPrefix == "" {
		for from, to := range o.Fields {
			set := setterFor(to)
			return func(e *event.Event) error {
				v, ok := e.Get(from)
				if !ok {
					return cm.missing(from)
				}
				e.Delete(from)
				return set.set(e, v)
			}, nil
		}
	}
	// Many renames: one pass over the fields renames in place (a map
	// lookup each), so the cost does not grow with fields × renames; absent
	// fields are skipped (a batch rename maps what the record has).
	// One map answers both questions of a field: is it renamed (source),
	// and is it a name renamed to (target).
	type target struct {
		name     string
		typ      ecsType
		envelope bool
		source   bool
		target   bool
		tid      int16 // the id of name, the target it is renamed to
		self     int16 // the id of this name as a target (-1: none)
	}
	targets := make(map[string]target, 2*len(o.Fields))
	tids := map[string]int16{}
	dupTargets := false
	for from, to := range o.Fields {
		t := targets[from]
		t.name, t.typ, t.envelope, t.source = to, typeOf(to), event.IsEnvelope(to) || to == event.FieldMessage, true
		if _, ok := tids[to]; !ok {
			tids[to] = int16(len(tids))
		}
		t.tid = tids[to]
		targets[from] = t
	}
	for _, to := range o.Fields {
		t := targets[to]
		if t.target {
			dupTargets = true
		}
		t.target = true
		targets[to] = t
	}
	for name, t := range targets {
		t.self = -1
		if id, ok := tids[name]; ok {
			t.self = id
		}
		targets[name] = t
	}
	table := newNameTable(targets)
	rest := newPrefixer(o.RestPrefix)
	// With few targets, each has a slot that says where its field is: a
	// field renamed to a name replaces the field of that name found
	// before (an earlier rename to it, or a field that had it), and a
	// field that has a target name is dropped when a rename writes it
	// (the renamed value wins). dedupe does the same, by comparing names,
	// for a rename of more targets.
	ntids := len(tids)
	slotted := ntids <= maxSlotTargets
	return func(e *event.Event) error {
		var first error
		var envelope []event.Field
		var produced, existing [32]int
		var holder, had [maxSlotTargets]int32 // output index+1 per target id
		var dropBuf [16]int
		drop := dropBuf[:0]
		np, ne := 0, 0
		j := 0
		for i := range e.Fields {
			f := &e.Fields[i] // j <= i: what is written is read already
			t := table.get(f.Name)
			if t != nil && t.source {
				v, ok, same := f.Value, true, true
				if !fits(t.typ, v) {
					var err error
					if v, ok, err = coerce(t.name, t.typ, v); err != nil && first == nil {
						first = err
					}
					same = false
				}
				if !ok {
					continue
				}
				if t.envelope {
					envelope = append(envelope, event.Field{Name: t.name, Value: v})
					continue
				}
				if slotted {
					if h := holder[t.tid]; h > 0 {
						drop = append(drop, int(h-1))
					}
					holder[t.tid] = int32(j + 1)
				} else if np < len(produced) {
					produced[np] = j
					np++
				}
				if j == i && same {
					f.Name = t.name // in place: the value stays
				} else {
					e.Fields[j] = event.Field{Name: t.name, Value: v}
				}
				j++
				continue
			}
			if t != nil {
				if slotted {
					if t.self >= 0 {
						had[t.self] = int32(j + 1)
						ne++
					}
				} else if ne < len(existing) {
					existing[ne] = j
					ne++
				}
			} else if rest != nil {
				// A prefixed name is longer; an unchanged one is not
				// written back.
				if n := rest.name(f.Name); len(n) != len(f.Name) {
					f.Name = n
				}
			}
			if j != i {
				e.Fields[j] = *f
			}
			j++
		}
		clear(e.Fields[j:])
		e.Fields = e.Fields[:j]
		if slotted {
			if ne > 0 {
				for id := 0; id < ntids; id++ {
					if had[id] > 0 && holder[id] > 0 {
						drop = append(drop, int(had[id]-1))
					}
				}
			}
			dropFields(e, drop)
		} else if full := np == len(produced) || ne == len(existing); ne > 0 || dupTargets || full {
			dedupe(e, produced[:np], existing[:ne], dupTargets, full)
		}
		e.Reindex()
		for _, f := range envelope {
			e.Set(f.Name, f.Value)
		}
		return first
	}, nil
}

// maxSlotTargets bounds the target names a rename keeps a slot for in
// each run (two arrays of it on the stack); a rename of more dedupes by
// comparing names.
const maxSlotTargets = 64

// dedupe removes the fields a rename replaced: an earlier field of the
// same name as a renamed one (the renamed value wins), and of two renamed
// to one name, the first (only when dupTargets says the rename maps two
// keys to one name). produced and existing index e.Fields; full means one
// of them overflowed, so every name is checked.
func dedupe(e *event.Event, produced, existing []int, dupTargets, full bool) {
	var dropBuf [8]int
	drop := dropBuf[:0]
	if full {
		seen := map[string]int{}
		for i, f := range e.Fields {
			if prev, ok := seen[f.Name]; ok {
				drop = append(drop, prev)
			}
			seen[f.Name] = i
		}
	} else {
		for _, x := range existing {
			for _, p := range produced {
				if e.Fields[x].Name == e.Fields[p].Name {
					drop = append(drop, x)
					break
				}
			}
		}
		for a := 0; dupTargets && a < len(produced); a++ {
			for b := a + 1; b < len(produced); b++ {
				if e.Fields[produced[a]].Name == e.Fields[produced[b]].Name {
					drop = append(drop, produced[a])
					break
				}
			}
		}
	}
	dropFields(e, drop)
}

// dropFields removes the fields at the indexes of drop, keeping the
// order of the others. It moves the runs of fields between the dropped
// ones with copy (one bulk move each, where a field-by-field loop pays a
// write barrier check per field).
func dropFields(e *event.Event, drop []int) {
	if len(drop) == 0 {
		return
	}
	slices.Sort(drop)
	drop = slices.Compact(drop)
	fs := e.Fields
	j := drop[0]
	for k, d := range drop {
		end := len(fs)
		if k+1 < len(drop) {
			end = drop[k+1]
		}
		j += copy(fs[j:], fs[d+1:end])
	}
	clear(fs[j:])
	e.Fields = fs[:j] // the caller calls e.Reindex
}

// nameCache caches names computed from names (a raw key's prefixed name),
// so renaming the keys of every record allocates nothing once warm.
// Readers take no lock: they read an immutable map; new names wait in
// pending and are published in a new map when pending reaches an eighth
// of it (so the copies cost O(1) per name). The cache is bounded: names
// beyond it are computed per event.
//
// In front of the map, a direct-mapped table of the first name cached at
// each hash (hashName: the length and three bytes) answers the names that
// come back record after record with one comparison, where the map hashes
// the whole name.
type nameCache struct {
	fn      func(string) string
	names   atomic.Pointer[map[string]string]
	mu      sync.Mutex
	pending map[string]string
	recent  [recentNames]atomic.Pointer[namePair]
}

// namePair is a name and the name computed from it.
type namePair struct{ in, out string }

// recentNames is the size of a nameCache's direct-mapped table.
const recentNames = 256

const maxCachedNames = 4096

func newNameCache(fn func(string) string) *nameCache {
	c := &nameCache{fn: fn, pending: map[string]string{}}
	c.names.Store(&map[string]string{})
	return c
}

func (c *nameCache) name(n string) string {
	var slot *atomic.Pointer[namePair]
	if n != "" {
		slot = &c.recent[hashName(n)&(recentNames-1)]
		if p := slot.Load(); p != nil && p.in == n {
			return p.out
		}
	}
	cur := *c.names.Load()
	if out, ok := cur[n]; ok {
		if slot != nil && slot.Load() == nil {
			// The first name of a hash keeps the slot: names that share
			// one do not evict each other record after record.
			slot.CompareAndSwap(nil, &namePair{in: strings.Clone(n), out: out})
		}
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if out, ok := c.pending[n]; ok {
		return out
	}
	out := c.fn(n)
	cur = *c.names.Load()
	if len(cur)+len(c.pending) >= maxCachedNames {
		return out
	}
	c.pending[strings.Clone(n)] = out
	if len(c.pending) >= max(1, len(cur)/8) {
		next := make(map[string]string, len(cur)+len(c.pending))
		for k, v := range cur {
			next[k] = v
		}
		for k, v := range c.pending {
			next[k] = v
		}
		c.names.Store(&next)
		clear(c.pending)
	}
	return out
}

// prefixer gives raw keys their prefixed names.
type prefixer struct{ cache *nameCache }

func newPrefixer(prefix string) *prefixer {
	if prefix == "" {
		return nil
	}
	return &prefixer{newNameCache(func(n string) string { return prefix + n })}
}

// name returns the prefixed name of a raw key, or the name unchanged when
// it is not one (it has a dot, or is message, tags or @…).
func (p *prefixer) name(n string) string {
	if n == event.FieldMessage || n == "tags" || n == "" || n[0] == '@' || n[0] == '_' || strings.IndexByte(n, '.') >= 0 {
		return n
	}
	return p.cache.name(n)
}

type copyOpts struct {
	Field       string `yaml:"field"`
	TargetField string `yaml:"target_field"`
	Override    *bool  `yaml:"override"`
}

func buildCopy(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o copyOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := errors.Join(need(o.Field, "field"), need(o.TargetField, "target_field")); err != nil {
		return nil, err
	}
	set := setterFor(o.TargetField)
	override := o.Override == nil || *o.Override
	return func(e *event.Event) error {
		if !override && e.Has(o.TargetField) {
			return nil
		}
		v, ok := e.Get(o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		return set.set(e, v)
	}, nil
}

type setOpts struct {
	Field            string    `yaml:"field"`
	Value            yaml.Node `yaml:"value"`
	CopyFrom         string    `yaml:"copy_from"`
	Override         *bool     `yaml:"override"`
	IgnoreEmptyValue bool      `yaml:"ignore_empty_value"`
}

func buildSet(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o setOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := need(o.Field, "field"); err != nil {
		return nil, err
	}
	override := o.Override == nil || *o.Override
	set := setterFor(o.Field)
	var value func(e *event.Event) (event.Value, bool)
	switch {
	case o.CopyFrom != "":
		from := o.CopyFrom
		value = func(e *event.Event) (event.Value, bool) { return e.Get(from) }
	case o.Value.Kind == yaml.SequenceNode:
		var items []string
		if err := o.Value.Decode(&items); err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		v := event.List(items)
		value = func(*event.Event) (event.Value, bool) { return v, true }
	case o.Value.Kind == yaml.ScalarNode:
		t, err := parseTemplate(o.Value.Value)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		if t.constant() {
			v := constValue(o.Value)
			if _, _, err := typed(typeOf(o.Field), v); err != nil && typeOf(o.Field) != typeAny && typeOf(o.Field) != typeList {
				return nil, fmt.Errorf("value for %s: %w", o.Field, err)
			}
			value = func(*event.Event) (event.Value, bool) { return v, true }
		} else {
			value = func(e *event.Event) (event.Value, bool) { return event.String(t.render(e)), true }
		}
	default:
		return nil, fmt.Errorf("give value or copy_from")
	}
	return func(e *event.Event) error {
		if !override && e.Has(o.Field) {
			return nil
		}
		v, ok := value(e)
		if !ok {
			return cm.missing(o.CopyFrom)
		}
		if o.IgnoreEmptyValue && v.Kind() == event.KindString && v.Str() == "" {
			return nil
		}
		return set.set(e, v)
	}, nil
}

// constValue types a YAML scalar: numbers and booleans keep their kind.
func constValue(n yaml.Node) event.Value {
	switch n.Tag {
	case "!!int", "!!float", "!!bool":
		return event.Infer(n.Value)
	}
	return event.String(n.Value)
}

type fieldsOpts struct {
	Field yaml.Node `yaml:"field"`
	Keep  []string  `yaml:"keep"`
}

func buildRemove(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o fieldsOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	var names []string
	switch o.Field.Kind {
	case yaml.ScalarNode:
		names = []string{o.Field.Value}
	case yaml.SequenceNode:
		if err := o.Field.Decode(&names); err != nil {
			return nil, fmt.Errorf("field: %w", err)
		}
	}
	if len(names) == 0 && len(o.Keep) == 0 {
		return nil, fmt.Errorf("give field (a name or a list) or keep")
	}
	prefixes, exact := splitPrefixes(names)
	prefixFirst := firstBytes(prefixes, nil)
	keep := map[string]bool{}
	for _, k := range o.Keep {
		keep[k] = true
	}
	// With ignore_missing, one pass over the fields removes the names and
	// prefixes (a table lookup each); envelope names are cleared apart.
	var plain map[string]bool
	var envelope []string
	for _, n := range exact {
		if isEnvelopeName(n) {
			envelope = append(envelope, n)
		} else if n != "" {
			if plain == nil {
				plain = map[string]bool{}
			}
			plain[n] = true
		}
	}
	if cm.IgnoreMissing && len(keep) == 0 && len(envelope)+len(plain) == len(exact) {
		table := newNameTable(plain)
		first := firstBytes(prefixes, plain)
		return func(e *event.Event) error {
			removeNamed(e, &first, func(n string) bool {
				return n != "" && first[n[0]] && (table.get(n) != nil || len(prefixes) > 0 && hasAnyPrefix(n, prefixes))
			})
			for _, n := range envelope {
				e.Delete(n)
			}
			return nil
		}, nil
	}
	return func(e *event.Event) error {
		if len(keep) > 0 {
			removeFields(e, func(n string) bool {
				return !keep[n] && n != FieldPipeline && n != event.FieldMessage
			})
			return nil
		}
		for _, name := range exact {
			if !e.Has(name) {
				if !cm.IgnoreMissing {
					return errMissing(name)
				}
				continue
			}
			e.Delete(name)
		}
		if len(prefixes) > 0 {
			removeNamed(e, &prefixFirst, func(n string) bool { return hasAnyPrefix(n, prefixes) })
		}
		return nil
	}, nil
}

// firstBytes returns the set of the first bytes of prefixes and of the
// names of plain (none is empty).
func firstBytes(prefixes []string, plain map[string]bool) (set [256]bool) {
	for _, p := range prefixes {
		set[p[0]] = true
	}
	for n := range plain {
		set[n[0]] = true
	}
	return set
}

// removeNamed removes the fields drop takes, where drop takes only names
// that start with a byte of first. Most events have none (the _tmp.*
// removed a step before, or never set): a pass that tests the first byte
// of each name rules that out without a call of drop per field.
func removeNamed(e *event.Event, first *[256]bool, drop func(name string) bool) {
	for i := range e.Fields {
		if n := e.Fields[i].Name; n != "" && first[n[0]] && drop(n) {
			removeFields(e, drop)
			return
		}
	}
}

// removeFields removes the fields whose name drop takes, keeping the
// order of the others (event.Event.RemoveFunc: runs of kept fields move
// with one copy, and the event's index of names is kept without hashing).
func removeFields(e *event.Event, drop func(name string) bool) {
	e.RemoveFunc(drop)
}

// splitPrefixes separates names ending in ".*" (every field under a prefix).
func splitPrefixes(names []string) (prefixes, exact []string) {
	for _, n := range names {
		if strings.HasSuffix(n, ".*") {
			prefixes = append(prefixes, strings.TrimSuffix(n, "*"))
		} else {
			exact = append(exact, n)
		}
	}
	return prefixes, exact
}

func hasAnyPrefix(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

type appendOpts struct {
	Field           string    `yaml:"field"`
	Value           yaml.Node `yaml:"value"`
	AllowDuplicates *bool     `yaml:"allow_duplicates"`
}

func buildAppend(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o appendOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := need(o.Field, "field"); err != nil {
		return nil, err
	}
	var raw []string
	switch o.Value.Kind {
	case yaml.ScalarNode:
		raw = []string{o.Value.Value}
	case yaml.SequenceNode:
		if err := o.Value.Decode(&raw); err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
	default:
		return nil, fmt.Errorf("value is required")
	}
	tmpls := make([]template, len(raw))
	for i, r := range raw {
		t, err := parseTemplate(r)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		tmpls[i] = t
	}
	dups := o.AllowDuplicates == nil || *o.AllowDuplicates
	return func(e *event.Event) error {
		var items []string
		if v, ok := e.Get(o.Field); ok {
			if v.Kind() == event.KindList {
				items = append(items, v.List()...)
			} else if s := textOf(v); s != "" {
				items = append(items, s)
			}
		}
		for _, t := range tmpls {
			s := t.render(e)
			if s == "" || s == "-" {
				continue
			}
			if !dups && contains(items, s) {
				continue
			}
			items = append(items, s)
		}
		if len(items) > 0 {
			e.Set(o.Field, event.List(items))
		}
		return nil
	}, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// --- convert, case, split, gsub -----------------------------------------

type convertOpts struct {
	Field       string `yaml:"field"`
	TargetField string `yaml:"target_field"`
	Type        string `yaml:"type"`
}

func buildConvert(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o convertOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := need(o.Field, "field"); err != nil {
		return nil, err
	}
	if o.TargetField == "" {
		o.TargetField = o.Field
	}
	var t ecsType
	switch o.Type {
	case "integer", "long":
		t = typeLong
	case "float", "double":
		t = typeFloat
	case "boolean":
		t = typeBool
	case "ip":
		t = typeIP
	case "string":
		t = typeKeyword
	case "auto":
		t = typeAny
	default:
		return nil, fmt.Errorf("type %q: want integer, long, float, double, boolean, ip, string or auto", o.Type)
	}
	set := setterFor(o.TargetField)
	return func(e *event.Event) error {
		v, ok := e.Get(o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		if t == typeAny {
			v = event.Infer(textOf(v))
		} else {
			w, ok, err := typed(t, v)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			v = w
		}
		return set.set(e, v)
	}, nil
}

type fieldOpts struct {
	Field       string `yaml:"field"`
	TargetField string `yaml:"target_field"`
}

// fieldOptsOf reads the options of a step on one field: field (required)
// and target_field (default the field itself).
func fieldOptsOf(n *yaml.Node) (fieldOpts, error) {
	var o fieldOpts
	if err := decodeNode(n, &o); err != nil {
		return o, err
	}
	if err := need(o.Field, "field"); err != nil {
		return o, err
	}
	if o.TargetField == "" {
		o.TargetField = o.Field
	}
	return o, nil
}

func buildCase(fn func(string) string) builder {
	return func(n *yaml.Node, cm common) (func(*event.Event) error, error) {
		o, err := fieldOptsOf(n)
		if err != nil {
			return nil, err
		}
		set := setterFor(o.TargetField)
		return func(e *event.Event) error {
			v, ok := e.Get(o.Field)
			if !ok {
				return cm.missing(o.Field)
			}
			if v.Kind() == event.KindList {
				l := v.List()
				out := make([]string, len(l))
				for i, s := range l {
					out[i] = fn(s)
				}
				e.Set(o.TargetField, event.List(out))
				return nil
			}
			return set.set(e, event.String(fn(textOf(v))))
		}, nil
	}
}

type splitOpts struct {
	Field            string `yaml:"field"`
	TargetField      string `yaml:"target_field"`
	Separator        string `yaml:"separator"`
	PreserveTrailing bool   `yaml:"preserve_trailing"`
}

func buildSplit(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o splitOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := errors.Join(need(o.Field, "field"), need(o.Separator, "separator")); err != nil {
		return nil, err
	}
	if o.TargetField == "" {
		o.TargetField = o.Field
	}
	return func(e *event.Event) error {
		s, ok := text(e, o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		parts := strings.Split(s, o.Separator)
		if !o.PreserveTrailing {
			for len(parts) > 0 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
		}
		e.Set(o.TargetField, event.List(parts))
		return nil
	}, nil
}

type gsubOpts struct {
	Field       string `yaml:"field"`
	TargetField string `yaml:"target_field"`
	Pattern     string `yaml:"pattern"`
	Replacement string `yaml:"replacement"`
}

func buildGsub(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o gsubOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := errors.Join(need(o.Field, "field"), need(o.Pattern, "pattern")); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(o.Pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	if o.TargetField == "" {
		o.TargetField = o.Field
	}
	set := setterFor(o.TargetField)
	// A pattern that is only a literal, with a replacement that names no
	// group, is a plain substring replacement: strings.ReplaceAll gives
	// what ReplaceAllString gives (leftmost, non-overlapping) without the
	// regexp machine (most of the time of a long text's replacement).
	if lit, complete := re.LiteralPrefix(); complete && lit != "" && !strings.Contains(o.Replacement, "$") {
		return func(e *event.Event) error {
			s, ok := text(e, o.Field)
			if !ok {
				return cm.missing(o.Field)
			}
			if !strings.Contains(s, lit) {
				return set.set(e, event.String(s))
			}
			return set.set(e, event.String(strings.ReplaceAll(s, lit, o.Replacement)))
		}, nil
	}
	return func(e *event.Event) error {
		s, ok := text(e, o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		if !re.MatchString(s) {
			// ReplaceAllString copies the text even when nothing matches:
			// most records have nothing to replace.
			return set.set(e, event.String(s))
		}
		return set.set(e, event.String(re.ReplaceAllString(s, o.Replacement)))
	}, nil
}

// --- drop, fail --------------------------------------------------------

func buildDrop(n *yaml.Node, _ common) (func(*event.Event) error, error) {
	var o struct{}
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	return func(*event.Event) error { return errDrop }, nil
}

func buildFail(n *yaml.Node, _ common) (func(*event.Event) error, error) {
	var o struct {
		Message string `yaml:"message"`
	}
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := need(o.Message, "message"); err != nil {
		return nil, err
	}
	t, err := parseTemplate(o.Message)
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	return func(e *event.Event) error { return errors.New(t.render(e)) }, nil
}

// --- lookup, cidr --------------------------------------------------------

type lookupOpts struct {
	Field       string            `yaml:"field"`
	TargetField string            `yaml:"target_field"`
	Table       map[string]string `yaml:"table"`
	Default     *string           `yaml:"default"`
	IgnoreCase  bool              `yaml:"ignore_case"`
	Override    *bool             `yaml:"override"`
}

func buildLookup(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o lookupOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := errors.Join(need(o.Field, "field"), need(o.TargetField, "target_field")); err != nil {
		return nil, err
	}
	if len(o.Table) == 0 {
		return nil, fmt.Errorf("table is required")
	}
	table := make(map[string]event.Value, len(o.Table))
	t := typeOf(o.TargetField)
	for k, v := range o.Table {
		if o.IgnoreCase {
			k = strings.ToLower(k)
		}
		val := event.String(v)
		if t == typeList {
			val = event.List(strings.Split(v, ","))
		} else if t != typeAny {
			w, ok, err := typed(t, val)
			if err != nil {
				return nil, fmt.Errorf("table %q: %w", k, err)
			}
			if !ok {
				continue
			}
			val = w
		}
		table[k] = val
	}
	var def *event.Value
	if o.Default != nil {
		v := event.String(*o.Default)
		if t == typeList {
			v = event.List(strings.Split(*o.Default, ","))
		}
		def = &v
	}
	set := setterFor(o.TargetField)
	override := o.Override == nil || *o.Override
	values := newNameTable(table)
	return func(e *event.Event) error {
		if !override && e.Has(o.TargetField) {
			return nil
		}
		s, ok := text(e, o.Field)
		if !ok {
			if cm.IgnoreMissing || def == nil {
				if !cm.IgnoreMissing {
					return errMissing(o.Field)
				}
				return nil
			}
			return set.set(e, *def)
		}
		var v *event.Value
		if o.IgnoreCase {
			var buf [64]byte
			v = values.get(string(lowerKey(s, buf[:0])))
		} else {
			v = values.get(s)
		}
		if s == "" {
			if ev, ok := table[""]; ok { // the name table holds no empty key
				v = &ev
			}
		}
		if v != nil {
			return set.set(e, *v)
		}
		if def != nil {
			return set.set(e, *def)
		}
		return nil
	}, nil
}

type cidrOpts struct {
	Field       string      `yaml:"field"`
	TargetField string      `yaml:"target_field"`
	Ranges      []cidrRange `yaml:"ranges"`
	Default     *string     `yaml:"default"`
}

type cidrRange struct {
	Value string   `yaml:"value"`
	CIDRs []string `yaml:"cidrs"`
}

func buildCIDR(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o cidrOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := errors.Join(need(o.Field, "field"), need(o.TargetField, "target_field")); err != nil {
		return nil, err
	}
	type entry struct {
		p netip.Prefix
		v event.Value
	}
	var entries []entry
	for _, r := range o.Ranges {
		for _, c := range r.CIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				a, aerr := netip.ParseAddr(c)
				if aerr != nil {
					return nil, fmt.Errorf("ranges: %q: %w", c, err)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			entries = append(entries, entry{p.Masked(), event.String(r.Value)})
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("ranges is required: [{value: internal, cidrs: [10.0.0.0/8]}]")
	}
	// Most specific first.
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].p.Bits() > entries[j].p.Bits() })
	set := setterFor(o.TargetField)
	return func(e *event.Event) error {
		s, ok := text(e, o.Field)
		if !ok {
			return cm.missing(o.Field)
		}
		a, err := netip.ParseAddr(trimIP(s))
		if err != nil {
			return fmt.Errorf("%q is not an IP address", s)
		}
		a = a.Unmap()
		for _, en := range entries {
			if en.p.Contains(a) {
				return set.set(e, en.v)
			}
		}
		if o.Default != nil {
			return set.set(e, event.String(*o.Default))
		}
		return nil
	}, nil
}
