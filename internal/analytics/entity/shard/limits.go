package shard

// Limits, with the reasons.
const (
	// RecordVersion is the first byte of every entity record; a reader
	// refuses other versions rather than misread them.
	RecordVersion = 1
	// MaxRecord bounds an entity record read: an event on the events
	// topic is at most bus.kafka.max_message_bytes (1 MB by default), and
	// its record adds the entity's type and name; an alert is far less.
	MaxRecord = 2 << 20
)

// Kinds of entity record.
const (
	kindEvent = 1 // an event the entity's analytics learn from
	kindAlert = 2 // an alert raised elsewhere, adding risk to the entity
)
