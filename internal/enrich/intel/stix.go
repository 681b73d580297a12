package intel

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Stats counts what a feed document held.
type Stats struct {
	// Loaded indicators (atoms: a pattern with an OR of three values counts three).
	Loaded int
	// Skipped objects or rows, by reason.
	Skipped map[string]int
}

func (s *Stats) skip(reason string) {
	if s.Skipped == nil {
		s.Skipped = map[string]int{}
	}
	s.Skipped[reason]++
}

// SkippedTotal is the number of skipped objects or rows.
func (s *Stats) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// Source says where a feed's indicators come from and what to assume when
// the document does not say.
type Source struct {
	Feed string
	// Confidence applies to indicators without one; ConfidenceUnknown for none.
	Confidence int
	// Provider applies to indicators whose document names none; default Feed.
	Provider string
	// Now decides which indicators have expired; zero means time.Now().
	Now time.Time
	// IncludeNonIDS loads MISP attributes whose to_ids flag is false.
	IncludeNonIDS bool
}

func (s Source) now() time.Time {
	if s.Now.IsZero() {
		return time.Now()
	}
	return s.Now
}

func (s Source) provider() string {
	if s.Provider != "" {
		return s.Provider
	}
	return s.Feed
}

// stixObject holds the properties of the STIX objects the reader uses.
type stixObject struct {
	Type              string   `json:"type"`
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Pattern           string   `json:"pattern"`
	PatternType       string   `json:"pattern_type"`
	Confidence        *int     `json:"confidence"`
	ValidUntil        string   `json:"valid_until"`
	Revoked           bool     `json:"revoked"`
	CreatedByRef      string   `json:"created_by_ref"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
	Labels            []string `json:"labels"`
	IndicatorTypes    []string `json:"indicator_types"`
	ExternalRefs      []struct {
		SourceName string `json:"source_name"`
		URL        string `json:"url"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChainPhases []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
	DefinitionType string `json:"definition_type"`
	Definition     struct {
		TLP string `json:"tlp"`
	} `json:"definition"`
}

// The TLP marking definitions STIX 2.1 fixes (section 7.2.1.4).
var stixTLP = map[string]string{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "WHITE",
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
}

// ParseSTIX reads a STIX 2.0/2.1 bundle (or a bare JSON array of objects,
// or a single indicator object) and returns its indicators: one per atom
// of each usable pattern. Indicators that are revoked, expired, not STIX
// patterns, or whose patterns cannot be matched as values are skipped and
// counted by reason. The bundle is streamed: only one object is decoded at
// a time.
func ParseSTIX(r io.Reader, src Source) ([]Indicator, Stats, error) {
	var st Stats
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, st, fmt.Errorf("stix: %w", err)
	}
	var objs []stixObject
	identities := map[string]string{}
	markings := map[string]string{}
	collect := func(o stixObject) {
		switch o.Type {
		case "indicator":
			objs = append(objs, o)
		case "identity":
			identities[o.ID] = o.Name
		case "marking-definition":
			if o.DefinitionType == "tlp" && o.Definition.TLP != "" {
				markings[o.ID] = strings.ToUpper(o.Definition.TLP)
			} else if name, ok := strings.CutPrefix(o.Name, "TLP:"); ok {
				markings[o.ID] = strings.ToUpper(name)
			}
		}
	}
	switch tok {
	case json.Delim('['):
		for dec.More() {
			var o stixObject
			if err := dec.Decode(&o); err != nil {
				return nil, st, fmt.Errorf("stix object: %w", err)
			}
			collect(o)
		}
		if _, err := dec.Token(); err != nil {
			return nil, st, fmt.Errorf("stix: %w", err)
		}
	case json.Delim('{'):
		// A bundle, or one object: read its keys, streaming "objects".
		var single stixObject
		isBundle := false
		fields := map[string]json.RawMessage{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, st, fmt.Errorf("stix: %w", err)
			}
			key, _ := kt.(string)
			if key != "objects" {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, st, fmt.Errorf("stix %s: %w", key, err)
				}
				fields[key] = raw
				continue
			}
			isBundle = true
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return nil, st, errors.New("stix: objects is not an array")
			}
			for dec.More() {
				var o stixObject
				if err := dec.Decode(&o); err != nil {
					return nil, st, fmt.Errorf("stix object: %w", err)
				}
				collect(o)
			}
			if _, err := dec.Token(); err != nil {
				return nil, st, fmt.Errorf("stix: %w", err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, st, fmt.Errorf("stix: %w", err)
		}
		if !isBundle && string(fields["type"]) == `"bundle"` {
			break // an empty bundle
		}
		if !isBundle {
			b, _ := json.Marshal(fields)
			if err := json.Unmarshal(b, &single); err != nil {
				return nil, st, fmt.Errorf("stix object: %w", err)
			}
			if single.Type != "indicator" {
				return nil, st, fmt.Errorf("stix: a %q object, want a bundle or an indicator", single.Type)
			}
			collect(single)
		}
	default:
		return nil, st, errors.New("stix: want a JSON object or array")
	}
	now := src.now()
	var out []Indicator
	for i := range objs {
		o := &objs[i]
		if o.Revoked {
			st.skip("revoked")
			continue
		}
		if pt := strings.ToLower(o.PatternType); pt != "" && pt != "stix" {
			st.skip("pattern_type " + pt)
			continue
		}
		var until int64
		if o.ValidUntil != "" {
			t, err := time.Parse(time.RFC3339Nano, o.ValidUntil)
			if err != nil {
				st.skip("bad valid_until")
				continue
			}
			if t.Before(now) {
				st.skip("expired")
				continue
			}
			until = t.Unix()
		}
		atoms, err := ParsePattern(o.Pattern)
		if err != nil {
			switch {
			case errors.Is(err, ErrUnsupported):
				st.skip("unsupported pattern")
			default:
				st.skip("bad pattern")
			}
			continue
		}
		base := Indicator{ID: o.ID, Feed: src.Feed, Provider: identities[o.CreatedByRef], Confidence: src.Confidence,
			Description: o.Description, ValidUntil: until}
		if base.Provider == "" {
			base.Provider = src.provider()
		}
		if o.Confidence != nil && *o.Confidence >= 0 && *o.Confidence <= 100 {
			base.Confidence = *o.Confidence
		}
		if base.Description == "" {
			base.Description = o.Name
		} else if o.Name != "" {
			base.Description = o.Name + ": " + o.Description
		}
		for _, ref := range o.ExternalRefs {
			if ref.URL != "" {
				base.Reference = ref.URL
				break
			}
		}
		for _, m := range o.ObjectMarkingRefs {
			if tlp, ok := stixTLP[m]; ok {
				base.TLP = tlp
			} else if tlp, ok := markings[m]; ok {
				base.TLP = tlp
			}
		}
		for _, k := range o.KillChainPhases {
			if strings.HasPrefix(k.KillChainName, "mitre-") {
				base.Tags = append(base.Tags, "attack."+strings.ReplaceAll(k.PhaseName, "-", "_"))
			}
		}
		for _, ref := range o.ExternalRefs {
			if ref.SourceName == "mitre-attack" && strings.HasPrefix(ref.ExternalID, "T") {
				base.Tags = append(base.Tags, "attack."+strings.ToLower(ref.ExternalID))
			}
		}
		for _, a := range atoms {
			ind := base
			ind.Type, ind.Value = a.Type, a.Value
			out = append(out, ind)
			st.Loaded++
		}
	}
	return out, st, nil
}
