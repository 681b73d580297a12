package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// Limits of the per-tenant rule switches.
const (
	// MaxDisabledPerTenant bounds the rules one tenant may switch off:
	// more than the 3,750 rules of the SigmaHQ corpus, so every rule can
	// be, while a client cannot grow the file without end with made-up
	// ids.
	MaxDisabledPerTenant = 10_000
	// maxToggleFile bounds the file read at start (10,000 ids of ~100
	// bytes for a few hundred tenants).
	maxToggleFile = 64 << 20
)

// ErrTooManyDisabled is returned when a tenant already has
// MaxDisabledPerTenant rules switched off.
var ErrTooManyDisabled = errors.New("too many disabled rules for this tenant")

// Toggle records who switched a rule off for a tenant, and when.
type Toggle struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// togglesFile is the persisted form (docs/format/rule-toggles.md).
type togglesFile struct {
	Version int `json:"version"`
	// Disabled maps a tenant to its disabled rules, by rule reference
	// (the rule_id alerts carry).
	Disabled map[string]map[string]Toggle `json:"disabled"`
}

const togglesVersion = 1

// Toggles are the rules switched off per tenant: an analyst disables a
// rule for one tenant (from the console or the API) and the engine stops
// matching it on that tenant's events, while it keeps running for every
// other tenant. Every change is written to a JSON file before it takes
// effect, so it survives a restart. Safe for concurrent use; reads (once
// per matched rule on the detection path) take no lock.
type Toggles struct {
	path string
	mu   sync.Mutex // serialises changes and writes
	cur  atomic.Pointer[map[string]map[string]Toggle]
}

// OpenToggles reads the switches from path (a missing file: none) and
// keeps writing them there; "" keeps them in memory.
func OpenToggles(path string) (*Toggles, error) {
	t := &Toggles{path: path}
	m := map[string]map[string]Toggle{}
	if path != "" {
		data, err := readLimited(path, maxToggleFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("read rule switches: %w", err)
		default:
			var f togglesFile
			if err := json.Unmarshal(data, &f); err != nil {
				return nil, fmt.Errorf("read rule switches %s: %w", path, err)
			}
			if f.Version != togglesVersion {
				return nil, fmt.Errorf("read rule switches %s: version %d, want %d", path, f.Version, togglesVersion)
			}
			for tenant, rules := range f.Disabled {
				if len(rules) > 0 {
					m[tenant] = rules
				}
			}
		}
	}
	t.cur.Store(&m)
	return t, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than the limit of %d", path, st.Size(), limit)
	}
	return os.ReadFile(path)
}

// Disabled reports whether rule ref is switched off for tenant. A nil
// Toggles disables nothing.
func (t *Toggles) Disabled(tenant, ref string) bool {
	if t == nil {
		return false
	}
	rules := (*t.cur.Load())[tenant]
	if rules == nil {
		return false
	}
	_, off := rules[ref]
	return off
}

// Get returns the switch of rule ref for tenant, and whether it is off.
func (t *Toggles) Get(tenant, ref string) (Toggle, bool) {
	if t == nil {
		return Toggle{}, false
	}
	tg, off := (*t.cur.Load())[tenant][ref]
	return tg, off
}

// DisabledOf returns the rules switched off for tenant, sorted.
func (t *Toggles) DisabledOf(tenant string) []string {
	if t == nil {
		return nil
	}
	rules := (*t.cur.Load())[tenant]
	out := make([]string, 0, len(rules))
	for r := range rules {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// Set switches rule ref on (enabled) or off for tenant, recording who did
// it, and writes the file before the change takes effect. It reports
// whether anything changed.
func (t *Toggles) Set(tenant, ref string, enabled bool, by string, now time.Time) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.cur.Load()
	_, off := old[tenant][ref]
	if off == !enabled {
		return false, nil
	}
	next := make(map[string]map[string]Toggle, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	rules := make(map[string]Toggle, len(old[tenant])+1)
	for k, v := range old[tenant] {
		rules[k] = v
	}
	if enabled {
		delete(rules, ref)
	} else {
		if len(rules) >= MaxDisabledPerTenant {
			return false, fmt.Errorf("disable rule %s: %w (%d)", ref, ErrTooManyDisabled, MaxDisabledPerTenant)
		}
		rules[ref] = Toggle{By: by, At: now.UTC()}
	}
	if len(rules) == 0 {
		delete(next, tenant)
	} else {
		next[tenant] = rules
	}
	if t.path != "" {
		data, err := json.MarshalIndent(togglesFile{Version: togglesVersion, Disabled: next}, "", " ")
		if err != nil {
			return false, fmt.Errorf("encode rule switches: %w", err)
		}
		if err := fsutil.WriteFileAtomic(t.path, data, 0o640); err != nil {
			return false, fmt.Errorf("write rule switches: %w", err)
		}
	}
	t.cur.Store(&next)
	return true, nil
}
