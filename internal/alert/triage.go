package alert

import "time"

// Triage is an analyst's handling of an alert: the last change of its
// status or assignee, and the notes (comments and changes) made on it,
// oldest first. Notes are filled only when one alert is read.
type Triage struct {
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	Notes []Note    `json:"notes,omitempty"`
}

// Note is one recorded change or comment on an alert, with its actor.
type Note struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Status Status    `json:"status,omitempty"`
	// Assignee is set when the note assigned the alert; "-" unassigned it.
	Assignee string `json:"assignee,omitempty"`
	Text     string `json:"text,omitempty"`
}

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusOpen || s == StatusAcknowledged || s == StatusClosed
}
