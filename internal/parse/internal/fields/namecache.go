package fields

import "strings"

// namesMax bounds a Names cache: records carry a bounded vocabulary of
// keys in practice, and a hostile sender must not grow memory without
// limit. Past it, names are still built, just not remembered.
const namesMax = 1024

// Names builds prefixed field names ("cef.extensions." + key) and
// remembers them, so a steady stream of the same keys allocates no names.
type Names struct {
	Prefix string // including the trailing '.'
	m      map[string]string
}

// Get returns Prefix + key.
func (c *Names) Get(key string) string {
	if f, ok := c.m[key]; ok {
		return f
	}
	f := c.Prefix + key
	if len(c.m) < namesMax {
		if c.m == nil {
			c.m = make(map[string]string)
		}
		// The key is cloned: the cache outlives the record it came from.
		c.m[strings.Clone(key)] = f
	}
	return f
}
