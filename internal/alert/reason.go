package alert

import "time"

// Reason says why an alert fired, recorded by the engine at match time
// (docs/format/alerts.md). A detection rule's alert names the searches
// (selections) of the rule that matched its first event, with the rule's
// field names, modifiers and the event's values; a correlation's alert
// names its group-by values and the key fields of the contributing events.
type Reason struct {
	// Selections are the matched searches of a detection rule.
	Selections []ReasonSelection `json:"selections,omitempty"`
	// Group holds a correlation's group-by values by group-by name.
	Group map[string]string `json:"group,omitempty"`
	// Events are contributing events of a correlation with the fields the
	// correlation read from them (group-by and value_count fields), at
	// most MaxEventIDs, as far as the engine still remembered them (see
	// docs/correlation.md).
	Events []ReasonEvent `json:"events,omitempty"`
}

// ReasonSelection is one search of a rule that matched.
type ReasonSelection struct {
	Name   string        `json:"name"`
	Fields []ReasonField `json:"fields"`
}

// ReasonField is one field item of a matched search.
type ReasonField struct {
	// Field is the field as the rule names it; "" for a keyword search.
	Field string `json:"field"`
	// Modifier is the item's modifiers joined with | ("contains|all").
	Modifier string `json:"modifier,omitempty"`
	// Value is the event's value, cut at 512 bytes.
	Value string `json:"value"`
	// EventField is the event field the value came from, when it is not
	// Field (a Windows name mapped to its event field, the field a keyword
	// was found in).
	EventField string `json:"event_field,omitempty"`
}

// ReasonEvent is one event that contributed to a correlation.
type ReasonEvent struct {
	ID   string    `json:"id"`
	Rule string    `json:"rule"`
	Time time.Time `json:"time"`
	// Fields are the values the correlation read, by name.
	Fields map[string]string `json:"fields,omitempty"`
}
