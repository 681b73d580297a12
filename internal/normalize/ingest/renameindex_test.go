package ingest

import (
	"strconv"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// renameVocabulary is the names FuzzRenameIndex builds records of: keys
// renamed, keys left to the rest prefix, the targets themselves, dotted
// names and message (neither prefixed), and an envelope target.
var renameVocabulary = []string{"srcip", "dstip", "srcport", "msg", "logid", "user", "devname", "level",
	"source.ip", "destination.ip", "event.code", "message", "log.syslog.priority", "tags", "_tmp",
	"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "v.k3"}

// FuzzRenameIndex runs a batch rename (it renames in place, drops the
// fields a renamed one replaces, and rebuilds the index of names) on
// records of random names, repeats included: every name must then be
// found where a scan of the fields finds it.
func FuzzRenameIndex(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, false)
	f.Add([]byte{8, 0, 9, 1, 11, 3, 3, 0, 0, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27}, true)
	src := `name: t
match: [{app: x}]
steps:
  - rename:
      fields: {srcip: source.ip, dstip: destination.ip, srcport: source.port, msg: message, logid: event.code, user: user.name, devname: observer.name, level: '@timestamp'}
      rest_prefix: v.
`
	p, err := Parse("t.yml", []byte(src))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, picks []byte, grow bool) {
		if len(picks) > 200 {
			return
		}
		e := &event.Event{}
		for i, b := range picks {
			name := renameVocabulary[int(b)%len(renameVocabulary)]
			// Append, not Set: a record may repeat a key.
			e.Append(name, event.String("v"+strconv.Itoa(i)))
		}
		if grow {
			e.Get("k0") // builds the index before the rename
		}
		p.Run(e) // a value that is no time for @timestamp fails the step, after the pass

		names := append([]string{}, renameVocabulary...)
		for _, f := range e.Fields {
			names = append(names, f.Name)
		}
		for _, n := range names {
			got, ok := e.Get(n)
			want := -1
			for i := range e.Fields {
				if e.Fields[i].Name == n {
					want = i
					break
				}
			}
			if ok != (want >= 0) || ok && !got.Equal(e.Fields[want].Value) {
				t.Fatalf("Get(%q) = %v %v, a scan finds position %d of %v", n, got, ok, want, e.Fields)
			}
		}
	})
}
