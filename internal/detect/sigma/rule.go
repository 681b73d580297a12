package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule is one parsed Sigma detection rule. Only the detection section is
// kept as YAML; Compile turns it into matchers.
type Rule struct {
	ID             string
	Name           string
	Title          string
	Status         string
	Description    string
	Author         string
	Date           string
	Modified       string
	Level          string
	Tags           []string
	References     []string
	FalsePositives []string
	Fields         []string
	Logsource      Logsource
	Detection      Detection
	// Correlation is set on a correlation rule, which has no logsource
	// and detection; package correlate evaluates it.
	Correlation *Correlation
	// Watchlist holds the watch-list writes of the rule (Vigil's
	// extension, watchlist.go), nil when it makes none.
	Watchlist *WatchlistSpec
	// Path is the file the rule came from, when it came from one.
	Path string
}

// Ref is how correlation rules and alerts name the rule: its id, else its
// name, else its title.
func (r *Rule) Ref() string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name != "":
		return r.Name
	}
	return r.Title
}

// Logsource is a rule's logsource section.
type Logsource struct {
	Product    string
	Category   string
	Service    string
	Definition string
}

func (l Logsource) String() string {
	var parts []string
	for _, kv := range [][2]string{{"product", l.Product}, {"category", l.Category}, {"service", l.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " ")
}

// Detection is a rule's detection section: its named searches in file order
// and its conditions (several conditions are OR-linked).
type Detection struct {
	Names      []string
	Searches   map[string]*yaml.Node
	Conditions []string
}

// Levels in increasing order of severity.
var Levels = []string{"informational", "low", "medium", "high", "critical"}

// ParseError is the error of one document of a file that did not parse.
type ParseError struct {
	// Doc is the 0-based index of the YAML document in its file.
	Doc int
	// ID and Title are what could be read of the rule, if anything.
	ID, Title string
	Err       error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("document %d: %v", e.Doc, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads every YAML document of data as a Sigma rule. It returns the
// rules that parsed and one *ParseError per document that did not; a
// document that is not YAML at all stops the reading, since the documents
// after it cannot be delimited reliably.
func Parse(data []byte) ([]*Rule, []error) {
	var rules []*Rule
	var errs []error
	d := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var doc yaml.Node
		err := d.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, &ParseError{Doc: i, Err: invalid(ReasonYAML, "%v", err)})
			break
		}
		r, err := parseDoc(&doc)
		if err != nil {
			pe := &ParseError{Doc: i, Err: err}
			if r != nil {
				pe.ID, pe.Title = r.ID, r.Title
			}
			errs = append(errs, pe)
			continue
		}
		if r != nil {
			rules = append(rules, r)
		}
	}
	return rules, errs
}

// ParseRule parses data holding exactly one rule.
func ParseRule(data []byte) (*Rule, error) {
	rules, errs := Parse(data)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if len(rules) != 1 {
		return nil, invalid(ReasonYAML, "%d rules in the document, want 1", len(rules))
	}
	return rules[0], nil
}

// parseDoc parses one document; it returns nil, nil for an empty document.
func parseDoc(doc *yaml.Node) (*Rule, error) {
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return nil, nil
	}
	if doc.Kind != yaml.MappingNode {
		return nil, invalid(ReasonYAML, "a rule must be a YAML mapping, got %s", kindName(doc))
	}
	r := &Rule{}
	var detection, logsource, correlation, watchlist *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i].Value, doc.Content[i+1]
		switch k {
		case "id":
			r.ID = scalar(v)
		case "name":
			r.Name = scalar(v)
		case "title":
			r.Title = scalar(v)
		case "status":
			r.Status = scalar(v)
		case "description":
			r.Description = scalar(v)
		case "author":
			r.Author = scalar(v)
		case "date":
			r.Date = scalar(v)
		case "modified":
			r.Modified = scalar(v)
		case "level":
			r.Level = strings.ToLower(scalar(v))
		case "tags":
			r.Tags = scalars(v)
		case "references":
			r.References = scalars(v)
		case "falsepositives":
			r.FalsePositives = scalars(v)
		case "fields":
			r.Fields = scalars(v)
		case "logsource":
			logsource = v
		case "detection":
			detection = v
		case "correlation":
			correlation = v
		case "watchlist":
			watchlist = v
		case "filter":
			return r, unsupported(ReasonFilter, "Sigma meta filters are not applied yet")
		case "action":
			return r, unsupported(ReasonCollection, "legacy rule collection (action: %s)", scalar(v))
		}
	}
	if r.Level != "" && !validLevel(r.Level) {
		return r, invalid(ReasonMissing, "level %q: want one of %s", r.Level, strings.Join(Levels, ", "))
	}
	if correlation != nil {
		if detection != nil || logsource != nil {
			return r, invalid(ReasonCorrelation, "a document is either a correlation rule or a detection rule, not both")
		}
		if watchlist != nil {
			return r, invalid(ReasonWatchlist, "watch-list actions belong to detection rules, not correlation rules")
		}
		c, err := parseCorrelation(correlation)
		if err != nil {
			return r, err
		}
		r.Correlation = c
		return r, nil
	}
	if watchlist != nil {
		spec, err := parseWatchlistSpec(watchlist)
		if err != nil {
			return r, err
		}
		r.Watchlist = spec
	}
	if logsource == nil {
		return r, invalid(ReasonMissing, "no logsource section")
	}
	if logsource.Kind != yaml.MappingNode {
		return r, invalid(ReasonMissing, "logsource must be a mapping, got %s", kindName(logsource))
	}
	for i := 0; i+1 < len(logsource.Content); i += 2 {
		k, v := logsource.Content[i].Value, strings.ToLower(strings.TrimSpace(scalar(logsource.Content[i+1])))
		switch k {
		case "product":
			r.Logsource.Product = v
		case "category":
			r.Logsource.Category = v
		case "service":
			r.Logsource.Service = v
		case "definition":
			r.Logsource.Definition = scalar(logsource.Content[i+1])
		}
	}
	if detection == nil {
		return r, invalid(ReasonMissing, "no detection section")
	}
	if detection.Kind != yaml.MappingNode {
		return r, invalid(ReasonMissing, "detection must be a mapping, got %s", kindName(detection))
	}
	r.Detection.Searches = map[string]*yaml.Node{}
	for i := 0; i+1 < len(detection.Content); i += 2 {
		k, v := detection.Content[i].Value, detection.Content[i+1]
		switch k {
		case "condition":
			switch v.Kind {
			case yaml.ScalarNode:
				r.Detection.Conditions = []string{v.Value}
			case yaml.SequenceNode:
				for _, c := range v.Content {
					if c.Kind != yaml.ScalarNode {
						return r, invalid(ReasonCondition, "a condition list must hold strings")
					}
					r.Detection.Conditions = append(r.Detection.Conditions, c.Value)
				}
			default:
				return r, invalid(ReasonCondition, "condition must be a string or a list of strings")
			}
		case "timeframe":
			return r, unsupported(ReasonAggregation, "timeframe (legacy aggregation) is not supported; use a correlation rule")
		default:
			if _, dup := r.Detection.Searches[k]; dup {
				return r, invalid(ReasonSearch, "search %q defined twice", k)
			}
			r.Detection.Names = append(r.Detection.Names, k)
			r.Detection.Searches[k] = v
		}
	}
	if len(r.Detection.Conditions) == 0 {
		return r, invalid(ReasonMissing, "detection has no condition")
	}
	if len(r.Detection.Names) == 0 {
		return r, invalid(ReasonMissing, "detection has no search identifiers")
	}
	return r, nil
}

func validLevel(l string) bool {
	for _, v := range Levels {
		if v == l {
			return true
		}
	}
	return false
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return nil
		}
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	return "nothing"
}
