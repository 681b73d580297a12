package timefmt

import (
	"sync"
	"time"
)

// zoneCacheMax bounds the IANA names remembered: device time zones are a
// handful per deployment, and an attacker-controlled name must not grow
// memory without limit.
const zoneCacheMax = 256

var zoneCache sync.Map // name → *time.Location, or nil when unknown

var zoneCacheLen struct {
	sync.Mutex
	n int
}

// loadLocation is time.LoadLocation with a bounded cache: loading reads the
// zone database from disk.
func loadLocation(name string) (*time.Location, bool) {
	if v, ok := zoneCache.Load(name); ok {
		loc, _ := v.(*time.Location)
		return loc, loc != nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	zoneCacheLen.Lock()
	if zoneCacheLen.n < zoneCacheMax {
		zoneCacheLen.n++
		zoneCache.Store(name, loc)
	}
	zoneCacheLen.Unlock()
	return loc, loc != nil
}
