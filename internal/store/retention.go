package store

import "time"

// RetentionStatus is one tenant's cold data in one dataset and what its
// retention will do next (docs/storage.md, "Retention overview").
type RetentionStatus struct {
	Dataset string `json:"dataset"`
	Tenant  string `json:"tenant"`
	Files   int    `json:"files"`
	// Bytes counts the cold files and their metadata, as max_bytes does.
	Bytes          int64     `json:"bytes"`
	OldestReceived time.Time `json:"oldest_received"`
	NewestReceived time.Time `json:"newest_received"`
	OldestEvent    time.Time `json:"oldest_event"`
	NewestEvent    time.Time `json:"newest_event"`
	// MaxAge and MaxBytes are the tenant's policy (0: no limit).
	MaxAge   time.Duration `json:"max_age_ns"`
	MaxBytes int64         `json:"max_bytes"`
	// NextDeletion is when retention next deletes a file of the tenant (the
	// first run at or after it), zero when no limit will; NextFile names
	// that file and NextReason says why (max_age or max_bytes).
	NextDeletion time.Time `json:"next_deletion,omitzero"`
	NextFile     string    `json:"next_file,omitempty"`
	NextReason   string    `json:"next_reason,omitempty"`
}

// RetentionReporter describes the data a store keeps and its retention.
type RetentionReporter interface {
	// RetentionOverview lists every tenant's status, or one tenant's.
	RetentionOverview(tenant string) ([]RetentionStatus, error)
}
