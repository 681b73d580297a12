package leef

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/ecsvalue"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/syslogsplit"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
	"github.com/vigilsiem/vigil/internal/parse/rfc3164"
)

const format = "leef"

// Options configure a Parser.
type Options struct {
	// Location is the zone of timestamps that carry none; nil means UTC.
	Location *time.Location
	// Now is the reference for year inference; nil means time.Now.
	Now func() time.Time
}

// Parser parses LEEF records. It is not safe for concurrent use.
type Parser struct {
	loc     *time.Location
	now     func() time.Time
	split   *syslogsplit.Splitter
	w       fields.Writer
	names   fields.Names
	layouts map[string]string // devTimeFormat → Go layout ("" when untranslatable)
}

// layoutsMax bounds the devTimeFormat patterns remembered.
const layoutsMax = 64

// New returns a parser.
func New(opts Options) *Parser {
	p := &Parser{loc: opts.Location, now: opts.Now, names: fields.Names{Prefix: "leef."}, layouts: map[string]string{}}
	if p.loc == nil {
		p.loc = time.UTC
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.split = syslogsplit.New(rfc3164.Options{Location: p.loc, Now: p.now})
	return p
}

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.w.Begin(e)
	err := p.parse(s)
	p.w.End()
	return err
}

func (p *Parser) parse(s string) error {
	body, at, _, err := p.split.Split(s, &p.w, "LEEF:")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(body, "LEEF:") {
		return formaterr.At(format, "header", at, `want "LEEF:"`)
	}
	return p.Body(body, at, &p.w)
}

// Body parses s, which starts with "LEEF:", writing fields through w (which
// the caller has begun on the event); at is the offset of s in the record.
func (p *Parser) Body(s string, at int, w *fields.Writer) error {
	var hdr [6]string
	var starts [6]int
	n := 5 // fields after "LEEF:": version, vendor, product, version, event id (+ delimiter in 2.0)
	i := 5
	complete := false
	for f := 0; f < n; f++ {
		start := i
		starts[f] = start
		for i < len(s) && s[i] != '|' {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			i++
		}
		hdr[f] = s[start:min(i, len(s))]
		if i >= len(s) {
			if f < 4 {
				return formaterr.At(format, "header", at+len(s), "want 5 '|'-separated fields after LEEF:, found "+strconv.Itoa(f+1))
			}
			break
		}
		i++
		if f == 0 && strings.HasPrefix(hdr[0], "2") {
			n = 6
		}
		complete = f == n-1
	}
	attrs := ""
	if complete {
		attrs = s[i:]
	}
	v1 := n == 5
	if n == 6 && len(hdr[5]) > 1 && strings.IndexByte(hdr[5], '=') >= 0 {
		// LEEF 2.0 without its optional delimiter field (Trend Micro
		// Deep Security writes it so): a delimiter is one character or a
		// hex code, never "key=value", so what follows EventID is the
		// attribute text, tab-separated.
		attrs, n = s[starts[5]:], 5
	}
	version := hdr[0]
	if version != "1.0" && version != "2.0" && version != "1" && version != "2" {
		return formaterr.At(format, "version", at+5, "want 1.0 or 2.0")
	}
	delim := "\t"
	if n == 6 {
		d, ok := delimiter(hdr[5])
		if !ok {
			return formaterr.At(format, "delimiter", at+i-len(hdr[5])-1, "want one character or a hex code such as x09")
		}
		delim = d
	}
	for f := 1; f < 5; f++ {
		if strings.IndexByte(hdr[f], '\\') >= 0 {
			hdr[f] = strings.ReplaceAll(hdr[f], `\|`, "|")
		}
	}
	appendString(w, "observer.vendor", hdr[1])
	appendString(w, "observer.product", hdr[2])
	appendString(w, "observer.version", hdr[3])
	appendString(w, "event.code", hdr[4])
	p.attributes(attrs, delim, v1, w)
	return nil
}

func appendString(w *fields.Writer, name, s string) {
	if s != "" {
		w.Append(name, event.String(s))
	}
}

// delimiter decodes the LEEF 2.0 delimiter field.
func delimiter(d string) (string, bool) {
	switch {
	case d == "":
		return "\t", true
	case len(d) == 1:
		return d, true
	}
	hex := d
	if strings.HasPrefix(hex, "0x") || strings.HasPrefix(hex, "0X") {
		hex = hex[2:]
	} else if hex[0] == 'x' || hex[0] == 'X' {
		hex = hex[1:]
	}
	v, err := strconv.ParseUint(hex, 16, 8)
	if err != nil || hex == "" || len(hex) > 2 {
		return "", false
	}
	return string([]byte{byte(v)}), true
}

// attributes splits the attribute text and writes the fields.
func (p *Parser) attributes(s, delim string, v1 bool, w *fields.Writer) {
	var devTime, devTimeFormat string
	spaced := v1 && strings.IndexByte(s, '\t') < 0 && strings.Count(s, "=") > 1
	for s != "" {
		var item string
		if spaced {
			item, s = nextSpaced(s)
		} else if k := strings.Index(s, delim); k >= 0 {
			item, s = s[:k], s[k+len(delim):]
		} else {
			item, s = s, ""
		}
		key, val, ok := strings.Cut(item, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			if item = strings.TrimSpace(item); item != "" {
				w.Put(p.names.Get("unparsed"), event.String(item))
			}
			continue
		}
		if spaced {
			val = strings.TrimRight(val, " ")
		}
		if strings.IndexByte(val, '\\') >= 0 {
			val = strings.ReplaceAll(val, `\=`, "=")
		}
		switch key {
		case "devTime":
			devTime = val
			continue
		case "devTimeFormat":
			devTimeFormat = val
			continue
		}
		if val == "" {
			continue
		}
		if !p.mapped(key, val, w) {
			w.Put(p.names.Get(key), event.String(val))
		}
	}
	if devTime != "" {
		if t, ok := p.devTime(devTime, devTimeFormat); ok {
			w.Event().Timestamp = t
		} else {
			w.Put(p.names.Get("devTime"), event.String(devTime))
		}
	}
	if devTimeFormat != "" {
		w.Put(p.names.Get("devTimeFormat"), event.String(devTimeFormat))
	}
}

// nextSpaced cuts the first "key=value" off s where a value runs to the
// space before the next "key=".
func nextSpaced(s string) (item, rest string) {
	eq := strings.IndexByte(s, '=')
	if eq < 0 {
		return s, ""
	}
	for j := eq + 1; j < len(s); j++ {
		if s[j] != ' ' {
			continue
		}
		k := j + 1
		for k < len(s) && s[k] != '=' && s[k] != ' ' {
			k++
		}
		if k > j+1 && k < len(s) && s[k] == '=' {
			return s[:j], s[j+1:]
		}
		j = k - 1
	}
	return s, ""
}

func (p *Parser) devTime(v, layoutPattern string) (time.Time, bool) {
	if layoutPattern == "" {
		return timefmt.Device(v, p.now(), p.loc)
	}
	layout, ok := p.layouts[layoutPattern]
	if !ok {
		l, err := timefmt.JavaLayout(layoutPattern)
		if err != nil {
			l = ""
		}
		layout = l
		if len(p.layouts) < layoutsMax {
			p.layouts[strings.Clone(layoutPattern)] = l
		}
	}
	if layout == "" {
		return timefmt.Device(v, p.now(), p.loc)
	}
	t, err := time.ParseInLocation(layout, v, p.loc)
	if err != nil {
		return timefmt.Device(v, p.now(), p.loc)
	}
	if t.Year() == 0 { // pattern without a year
		st := timefmt.Stamp{Month: t.Month(), Day: t.Day(), Hour: t.Hour(), Min: t.Minute(), Sec: t.Second(), Nsec: t.Nanosecond()}
		return st.Time(p.now(), t.Location()), true
	}
	return t.UTC(), true
}

var ipKeys = map[string]string{
	"src": "source.ip", "dst": "destination.ip", "srcPostNAT": "source.nat.ip", "dstPostNAT": "destination.nat.ip",
}

var intKeys = map[string]string{
	"srcPort": "source.port", "dstPort": "destination.port", "srcPostNATPort": "source.nat.port",
	"dstPostNATPort": "destination.nat.port", "srcBytes": "source.bytes", "dstBytes": "destination.bytes",
	"srcPackets": "source.packets", "dstPackets": "destination.packets", "sev": "event.severity",
}

var stringKeys = map[string]string{
	"srcMAC": "source.mac", "dstMAC": "destination.mac", "usrName": "user.name", "url": "url.original",
	"identHostName": "host.name",
}

// mapped writes a predefined key; false when it has no ECS home or its
// value does not convert.
func (p *Parser) mapped(key, val string, w *fields.Writer) bool {
	var v event.Value
	ok := true
	name, isIP := ipKeys[key]
	switch {
	case isIP:
		v, ok = ecsvalue.IP(val)
	case key == "identSrc":
		if w.Find("source.ip") >= 0 {
			return false
		}
		name = "source.ip"
		v, ok = ecsvalue.IP(val)
	case key == "proto":
		var s string
		s, ok = ecsvalue.Transport(val)
		name, v = "network.transport", event.String(s)
	default:
		if name, ok = intKeys[key]; ok {
			v, ok = ecsvalue.Int(val)
		} else if name, ok = stringKeys[key]; ok {
			v = event.String(val)
		} else {
			return false
		}
	}
	if ok {
		w.Put(name, v)
	}
	return ok
}
