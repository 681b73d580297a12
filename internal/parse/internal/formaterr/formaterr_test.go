package formaterr

import (
	"errors"
	"fmt"
	"testing"
)

func TestError(t *testing.T) {
	err := At("rfc5424", "timestamp", 5, "want a digit")
	if err.Error() != "rfc5424: timestamp at 5: want a digit" {
		t.Errorf("text %q", err)
	}
	if !errors.Is(err, ErrFormat) || errors.Is(err, ErrSkip) {
		t.Errorf("sentinels wrong")
	}
	shifted := Shift(fmt.Errorf("wrapped: %w", err), 10)
	var fe *Error
	if !errors.As(shifted, &fe) || fe.Pos != 15 || err.(*Error).Pos != 5 {
		t.Errorf("Shift: %v", shifted)
	}
	if other := errors.New("x"); Shift(other, 3) != other {
		t.Errorf("Shift changed a foreign error")
	}
}
