package event

import (
	"errors"
	"fmt"
)

// MaxTenantLen bounds a tenant name: tenants name directories (the store's
// cold files, the forward queues) and Parquet paths, and 64 keeps every
// path built from one well inside the 255-byte limit of a file name.
const MaxTenantLen = 64

// ErrBadTenant is wrapped by ValidTenant's errors.
var ErrBadTenant = errors.New("invalid tenant name")

// ValidTenant checks a tenant name: 1 to MaxTenantLen ASCII letters,
// digits, '_', '.' and '-', starting with a letter or digit. This is the
// rule of the configuration's names; every entry point checks it (a
// source's configuration, ingest tokens, events a bus carries, imports)
// so that a name that cannot be stored never reaches the store or a queue.
func ValidTenant(name string) error {
	if name == "" || len(name) > MaxTenantLen {
		return fmt.Errorf("%w %q: want 1 to %d characters", ErrBadTenant, clip(name), MaxTenantLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return fmt.Errorf("%w %q: want letters, digits, '_', '.' and '-', starting with a letter or digit", ErrBadTenant, clip(name))
		}
	}
	return nil
}

// clip shortens a name for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// ReservedTenantPrefix starts the tenants Vigil keeps for itself (the
// audit log's vigil.system); no source or ingest token may send into one.
const ReservedTenantPrefix = "vigil."

// ValidSenderTenant is ValidTenant for the tenant of a source or an ingest
// token: it also refuses the reserved names, so that no sender can write
// into Vigil's own records.
func ValidSenderTenant(name string) error {
	if err := ValidTenant(name); err != nil {
		return err
	}
	if len(name) >= len(ReservedTenantPrefix) && name[:len(ReservedTenantPrefix)] == ReservedTenantPrefix {
		return fmt.Errorf("%w %q: names starting with %q are reserved for Vigil", ErrBadTenant, name, ReservedTenantPrefix)
	}
	return nil
}
