// Package parse owns the registry of record formats: it maps a format name
// from the configuration ("rfc5424", "cef", "auto", …) to a Parser built by
// one of the format packages beneath it (internal/parse/<format>).
//
// Each format package registers itself from an init function (Register,
// with its capabilities in Format), and internal/parse/all imports them
// all: adding a format is one folder plus one line there (CONTRIBUTING.md).
// This package imports none of them, so formats can use each other (auto
// uses most of them) without import cycles.
package parse
