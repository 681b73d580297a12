package parse

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// Two packages claiming one format, or a format without a constructor,
// are build mistakes: Register panics at start rather than letting one
// silently win.
func TestRegisterRefusesMistakes(t *testing.T) {
	panics := func(name string, f Format) (p bool) {
		defer func() { p = recover() != nil }()
		Register(name, f)
		return false
	}
	if !panics("raw", Format{New: func(Options) (Parser, error) { return rawParser{}, nil }}) {
		t.Error("a second registration of raw was accepted")
	}
	if !panics("test-no-new", Format{}) {
		t.Error("a format without New was accepted")
	}
	if _, err := New("test-no-new", Options{}); err == nil {
		t.Error("the refused format was registered")
	}
	p, err := New("raw", Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &event.Event{}
	if err := p.Parse([]byte("x y"), e); err != nil || e.Message() != "x y" {
		t.Errorf("raw: %v %q", err, e.Message())
	}
}
