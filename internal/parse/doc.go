// Package parse owns the registry of record formats: it maps a format name
// from the configuration ("rfc5424", "cef", "auto", …) to a Parser built from
// the format packages beneath it (internal/parse/<format>).
//
// A format package exposes a type with a Parse method of the Parser shape
// and knows nothing of this registry, so formats can use each other (auto
// uses all of them) without import cycles.
package parse
