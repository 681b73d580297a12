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
	// kindPeer is an event showing a value of a rarity analytic with
	// min_peers, for the owner of (tenant, analytic, value) to count the
	// entity as a peer of the value.
	kindPeer = 3
	// kindPeers is that event with the peer count, from the owner of the
	// value to the owner of the entity, which decides rarity.
	kindPeers = 4
)
