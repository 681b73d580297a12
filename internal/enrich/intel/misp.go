package intel

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// MISP: the event JSON of a MISP feed (one file per event, listed by the
// feed's manifest.json), of the REST API's search results ({"response":
// [{"Event": …}]}), or a single exported event. Attributes become
// indicators when their to_ids flag is set (or Source.IncludeNonIDS):
//
//	ip-src, ip-dst, ip-src|port, ip-dst|port, domain|ip → IP
//	domain, hostname, domain|ip                         → domain
//	url, link                                           → URL
//	md5, sha1, sha256, sha512, filename|<hash>          → hash
//
// Attributes of objects count like the event's own. Confidence comes from
// the attribute's or event's tags (misp:confidence-level,
// estimative-language:confidence-in-analytic-judgment), TLP from tlp:*
// tags, ATT&CK techniques from mitre-attack galaxy tags; the provider is
// the event's creator organisation (Orgc).

type mispTag struct {
	Name string `json:"name"`
}

type mispAttribute struct {
	UUID    string    `json:"uuid"`
	Type    string    `json:"type"`
	Value   string    `json:"value"`
	ToIDS   mispBool  `json:"to_ids"`
	Comment string    `json:"comment"`
	Deleted mispBool  `json:"deleted"`
	Tag     []mispTag `json:"Tag"`
}

type mispEvent struct {
	UUID      string                `json:"uuid"`
	Info      string                `json:"info"`
	Orgc      struct{ Name string } `json:"Orgc"`
	Tag       []mispTag             `json:"Tag"`
	Attribute []mispAttribute       `json:"Attribute"`
	Object    []struct {
		Attribute []mispAttribute `json:"Attribute"`
	} `json:"Object"`
}

// mispBool reads MISP's booleans, which exports write as true/false, 0/1
// or "0"/"1".
type mispBool bool

func (b *mispBool) UnmarshalJSON(d []byte) error {
	switch strings.Trim(string(d), `"`) {
	case "true", "1":
		*b = true
	case "false", "0", "", "null":
		*b = false
	default:
		return fmt.Errorf("misp: %s is not a boolean", d)
	}
	return nil
}

// MISPManifest is a feed's manifest.json: event uuid → summary.
type MISPManifest map[string]struct {
	Info      string          `json:"info"`
	Timestamp json.RawMessage `json:"timestamp"`
}

// ParseMISPManifest reads a feed manifest.
func ParseMISPManifest(r io.Reader) (MISPManifest, error) {
	var m MISPManifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("misp manifest: %w", err)
	}
	for uuid := range m {
		if !validUUID(uuid) {
			return nil, fmt.Errorf("misp manifest: key %q is not an event uuid", clip(uuid))
		}
	}
	return m, nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func validUUID(s string) bool { return uuidRE.MatchString(s) }

// ParseMISP reads one MISP event ({"Event": …}), a search result
// ({"response": [{"Event": …}, …]}) or a list of events.
func ParseMISP(r io.Reader, src Source) ([]Indicator, Stats, error) {
	var st Stats
	var doc struct {
		Event    *mispEvent `json:"Event"`
		Response []struct {
			Event mispEvent `json:"Event"`
		} `json:"response"`
	}
	dec := json.NewDecoder(r)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, st, fmt.Errorf("misp: %w", err)
	}
	var events []*mispEvent
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
		var list []struct {
			Event mispEvent `json:"Event"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, st, fmt.Errorf("misp: %w", err)
		}
		for i := range list {
			events = append(events, &list[i].Event)
		}
	} else {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, st, fmt.Errorf("misp: %w", err)
		}
		if doc.Event != nil {
			events = append(events, doc.Event)
		}
		for i := range doc.Response {
			events = append(events, &doc.Response[i].Event)
		}
		if len(events) == 0 {
			return nil, st, fmt.Errorf("misp: no Event in the document")
		}
	}
	var out []Indicator
	for _, ev := range events {
		out = mispIndicators(ev, src, &st, out)
	}
	return out, st, nil
}

func mispIndicators(ev *mispEvent, src Source, st *Stats, out []Indicator) []Indicator {
	evConf, evTLP, evTags := tagInfo(ev.Tag)
	provider := ev.Orgc.Name
	if provider == "" {
		provider = src.provider()
	}
	add := func(a *mispAttribute) {
		if a.Deleted {
			st.skip("deleted")
			return
		}
		if !bool(a.ToIDS) && !src.IncludeNonIDS {
			st.skip("to_ids false")
			return
		}
		values, ok := mispValues(a.Type, a.Value)
		if !ok {
			st.skip("type " + a.Type)
			return
		}
		conf, tlp, tags := tagInfo(a.Tag)
		if conf == ConfidenceUnknown {
			conf = evConf
		}
		if conf == ConfidenceUnknown {
			conf = src.Confidence
		}
		if tlp == "" {
			tlp = evTLP
		}
		desc := ev.Info
		if a.Comment != "" {
			desc += ": " + a.Comment
		}
		for _, tv := range values {
			t, v, err := Canonical(tv.t, tv.v)
			if err != nil {
				st.skip("bad value")
				continue
			}
			out = append(out, Indicator{Type: t, Value: v, ID: a.UUID, Feed: src.Feed, Provider: provider,
				Confidence: conf, Description: desc, TLP: tlp, Tags: append(append([]string(nil), evTags...), tags...)})
			st.Loaded++
		}
	}
	for i := range ev.Attribute {
		add(&ev.Attribute[i])
	}
	for _, o := range ev.Object {
		for i := range o.Attribute {
			add(&o.Attribute[i])
		}
	}
	return out
}

type typedValue struct {
	t Type
	v string
}

func mispValues(typ, value string) ([]typedValue, bool) {
	first, second, _ := strings.Cut(value, "|")
	switch typ {
	case "ip-src", "ip-dst":
		return []typedValue{{TypeIP, value}}, true
	case "ip-src|port", "ip-dst|port":
		return []typedValue{{TypeIP, first}}, true
	case "domain", "hostname":
		return []typedValue{{TypeDomain, value}}, true
	case "domain|ip", "hostname|ip":
		return []typedValue{{TypeDomain, first}, {TypeIP, second}}, true
	case "url", "link":
		return []typedValue{{TypeURL, value}}, true
	case "md5":
		return []typedValue{{TypeMD5, value}}, true
	case "sha1":
		return []typedValue{{TypeSHA1, value}}, true
	case "sha256":
		return []typedValue{{TypeSHA256, value}}, true
	case "sha512":
		return []typedValue{{TypeSHA512, value}}, true
	case "filename|md5":
		return []typedValue{{TypeMD5, second}}, true
	case "filename|sha1":
		return []typedValue{{TypeSHA1, second}}, true
	case "filename|sha256":
		return []typedValue{{TypeSHA256, second}}, true
	case "filename|sha512":
		return []typedValue{{TypeSHA512, second}}, true
	}
	return nil, false
}

// MISP confidence taxonomies, as 0–100.
var mispConfidence = map[string]int{
	`misp:confidence-level="completely-confident"`:                   100,
	`misp:confidence-level="usually-confident"`:                      75,
	`misp:confidence-level="fairly-confident"`:                       50,
	`misp:confidence-level="rarely-confident"`:                       25,
	`misp:confidence-level="unconfident"`:                            0,
	`estimative-language:confidence-in-analytic-judgment="high"`:     85,
	`estimative-language:confidence-in-analytic-judgment="moderate"`: 50,
	`estimative-language:confidence-in-analytic-judgment="low"`:      15,
}

var attackTagRE = regexp.MustCompile(`[- ](T\d{4}(?:\.\d{3})?)"?$`)

// tagInfo reads confidence, TLP and ATT&CK techniques from MISP tags.
func tagInfo(tags []mispTag) (conf int, tlp string, attack []string) {
	conf = ConfidenceUnknown
	for _, t := range tags {
		n := t.Name
		if c, ok := mispConfidence[n]; ok {
			conf = c
			continue
		}
		if l, ok := strings.CutPrefix(strings.ToLower(n), "tlp:"); ok {
			tlp = strings.ToUpper(l)
			continue
		}
		if strings.Contains(n, "mitre-attack") {
			if m := attackTagRE.FindStringSubmatch(n); m != nil {
				attack = append(attack, "attack."+strings.ToLower(m[1]))
			}
		}
	}
	return conf, tlp, attack
}
