package forward

import (
	"time"

	"github.com/vigilsiem/vigil/internal/queue"
)

// OutputStatus is one output's state, as GET /api/v1/outputs shows it
// (package api serves Manager.Status).
type OutputStatus struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Health is the worst health of the output's tenant queues.
	Health queue.Health `json:"health"`
	// Retrying is true while the last delivery attempt failed.
	Retrying bool `json:"retrying"`
	// Counts since start.
	Delivered          uint64 `json:"delivered"`
	DeliveredBytes     uint64 `json:"delivered_bytes"`
	Failed             uint64 `json:"failed"`
	FailedSends        uint64 `json:"failed_sends"`
	Dropped            uint64 `json:"dropped"`
	DroppedRejected    uint64 `json:"dropped_rejected"`
	DroppedUndecodable uint64 `json:"dropped_undecodable"`
	// DroppedByQueue are undelivered events the queue's limits dropped.
	DroppedByQueue uint64    `json:"dropped_by_queue"`
	LastError      string    `json:"last_error,omitempty"`
	LastErrorTime  time.Time `json:"last_error_time,omitzero"`
	LastDelivery   time.Time `json:"last_delivery,omitzero"`
	// Queue sums the tenants' queues.
	Queue QueueSummary `json:"queue"`
	// Tenants are the per-tenant queue statuses.
	Tenants []queue.Status `json:"tenants"`
}

// QueueSummary is an output's queue over all tenants.
type QueueSummary struct {
	// Records and Bytes are undelivered.
	Records uint64 `json:"records"`
	Bytes   int64  `json:"bytes"`
	// Oldest is the append time of the oldest undelivered event.
	Oldest           time.Time `json:"oldest,omitzero"`
	OldestAgeSeconds float64   `json:"oldest_age_seconds"`
}

func (o *managedOutput) status(now time.Time) OutputStatus {
	s := OutputStatus{Name: o.name, Type: o.typ,
		Delivered: o.st.delivered.Load(), DeliveredBytes: o.st.deliveredBytes.Load(),
		Failed: o.st.failed.Load(), FailedSends: o.st.failedSends.Load(),
		DroppedRejected: o.st.rejected.Load(), DroppedUndecodable: o.st.undecodable.Load(),
		Tenants: o.set.Status(),
	}
	s.Dropped = s.DroppedRejected + s.DroppedUndecodable
	o.st.mu.Lock()
	s.Retrying, s.LastError, s.LastErrorTime, s.LastDelivery = o.st.retrying, o.st.lastErr, o.st.lastErrTime, o.st.lastDelivery
	o.st.mu.Unlock()
	for _, t := range s.Tenants {
		s.Queue.Records += t.Records
		s.Queue.Bytes += t.Bytes
		s.DroppedByQueue += t.Dropped
		if !t.Oldest.IsZero() && (s.Queue.Oldest.IsZero() || t.Oldest.Before(s.Queue.Oldest)) {
			s.Queue.Oldest = t.Oldest
		}
		if t.Health.Level > s.Health.Level || s.Health.Level == queue.HealthOK && t.Health.BytesRatio+t.Health.AgeRatio > s.Health.BytesRatio+s.Health.AgeRatio {
			s.Health = t.Health
		}
	}
	if !s.Queue.Oldest.IsZero() {
		s.Queue.OldestAgeSeconds = max(now.Sub(s.Queue.Oldest).Seconds(), 0)
	}
	if s.Tenants == nil {
		s.Tenants = []queue.Status{}
	}
	return s
}
