package storetest

import "testing"

// TableOpener opens one of a backend's record stores (alerts, incidents,
// the response log) on dir, the same dir again for a reopen, and returns
// it with the function that closes it. The suites close what they open.
type TableOpener[T any] func(t *testing.T, dir string) (T, func() error)

// opened is a record store the suite opened, closed at the end of the
// test unless a reopen closed it first.
type opened[T any] struct {
	t     *testing.T
	open  TableOpener[T]
	dir   string
	s     T
	close func() error
}

// openTable opens a record store on a fresh directory.
func openTable[T any](t *testing.T, open TableOpener[T]) *opened[T] {
	t.Helper()
	o := &opened[T]{t: t, open: open, dir: t.TempDir()}
	o.s, o.close = open(t, o.dir)
	t.Cleanup(func() {
		if o.close != nil {
			if err := o.close(); err != nil {
				t.Errorf("close: %v", err)
			}
		}
	})
	return o
}

// reopen closes the store and opens its directory again.
func (o *opened[T]) reopen() {
	o.t.Helper()
	err := o.close()
	o.close = nil
	if err != nil {
		o.t.Fatalf("close: %v", err)
	}
	o.s, o.close = o.open(o.t, o.dir)
}
