package store

// ScanOptions narrow what a scan of stored events (a rule backtest) reads.
type ScanOptions struct {
	// Fields, when not nil, are the only fields the caller reads; the
	// store may leave the other columns unread.
	Fields []string
	// AnyOf, when not empty, is a necessary condition: the caller only
	// wants events where some literal's Text is within the lower-cased
	// text of one of its Fields. The store may filter on it or not (the
	// caller still decides each event); it must never leave out an event
	// that meets it.
	AnyOf []Literal
}

// Literal is one text a scan may filter on (ScanOptions.AnyOf); Text is
// lower-case.
type Literal struct {
	Fields []string
	Text   string
}

// ScanStats say what a scan read.
type ScanStats struct {
	// InRange are the events of the tenant and range the query matches;
	// Read those that passed AnyOf and were given to the caller.
	InRange, Read int64
}
