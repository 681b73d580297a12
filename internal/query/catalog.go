package query

import "github.com/vigilsiem/vigil/internal/event"

// Type is the stored type of a field: the type of its column.
type Type uint8

// The stored types. IP addresses are strings in canonical text form.
const (
	TypeString Type = iota + 1 // VARCHAR
	TypeInt                    // BIGINT
	TypeFloat                  // DOUBLE
	TypeBool                   // BOOLEAN
	TypeTime                   // TIMESTAMP, UTC, microseconds
	TypeList                   // VARCHAR[]
)

func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeInt:
		return "int"
	case TypeFloat:
		return "float"
	case TypeBool:
		return "bool"
	case TypeTime:
		return "time"
	case TypeList:
		return "list"
	}
	return "unknown"
}

// Catalog tells a compiler which fields are stored and as what. The store
// implements it for the data a query spans. A compiler must not refer to a
// field the catalog does not know: a filter on it matches nothing, and a
// group or aggregate over it sees null.
type Catalog interface {
	// FieldType returns the type of the field's column, and false when no
	// stored data has the field.
	FieldType(name string) (Type, bool)
}

// MapCatalog is a Catalog held in a map.
type MapCatalog map[string]Type

// FieldType implements Catalog.
func (m MapCatalog) FieldType(name string) (Type, bool) {
	t, ok := m[name]
	return t, ok
}

// EnvelopeTypes are the columns every store has, whatever its catalog says.
var EnvelopeTypes = map[string]Type{
	event.FieldTimestamp: TypeTime,
	event.FieldIngested:  TypeTime,
	event.FieldID:        TypeString,
	event.FieldTenant:    TypeString,
	event.FieldSource:    TypeString,
	event.FieldOriginal:  TypeString,
	event.FieldMessage:   TypeString,
}
