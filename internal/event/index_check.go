//go:build vigil_indexcheck

package event

import "fmt"

// indexCheck makes every Get compare what the index of names found with a
// scan of the fields, and panic when they differ: `go test -tags
// vigil_indexcheck ./...` finds code that changed Fields directly without
// Reindex.
const indexCheck = true

func (e *Event) checkFind(name string, got int) {
	want := -1
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			want = i
			break
		}
	}
	if got != want {
		panic(fmt.Sprintf("event: the index of names finds %q at %d, a scan at %d: Fields changed without Reindex", name, got, want))
	}
}
