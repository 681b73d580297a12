package auth

import (
	"net/netip"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

// maxTracked bounds the user names and addresses the limiter remembers;
// past it the entry quiet longest is forgotten. An address is throttled
// after FreeAttempts, so one address adds at most that many user names.
const maxTracked = 100_000

// limiter throttles password attempts per user name and per client
// address: each key gets FreeAttempts, then every further attempt must
// wait a backoff that doubles up to MaxBackoff. An attempt counts when it
// starts (so parallel guesses count too); a success clears the user's
// count (not the address's: an attacker's own account must not reset the
// address it sprays from); ForgetAfter of quiet clears both. Unknown user
// names are counted like known ones, so throttling tells nothing about
// which names exist.
type limiter struct {
	cfg  config.LoginLimits
	now  func() time.Time
	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	n     int       // attempts since the last success or forget
	last  time.Time // the last attempt
	until time.Time // no attempt before this
	// told is the until of the last refusal reported as new: an attacker
	// hammering through a wait is audited once per wait, not per request.
	told time.Time
}

func newLimiter(cfg config.LoginLimits, now func() time.Time) *limiter {
	return &limiter{cfg: cfg, now: now, keys: map[string]*attempts{}}
}

// allow reports whether user may try a password from addr now, and counts
// the attempt; when not, it says how long to wait, and whether this is the
// first refusal of that wait (repeated is false).
func (l *limiter) allow(user, addr string) (wait time.Duration, ok, repeated bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	ku, ka := "u:"+user, "a:"+addrKey(addr)
	repeated = true
	for _, k := range []string{ka, ku} {
		if a := l.get(k, now); a != nil && now.Before(a.until) {
			wait = max(wait, a.until.Sub(now))
			if !a.told.Equal(a.until) {
				a.told, repeated = a.until, false
			}
		}
	}
	if wait > 0 {
		return wait, false, repeated
	}
	for _, k := range []string{ka, ku} {
		a := l.get(k, now)
		if a == nil {
			if len(l.keys) >= maxTracked {
				l.evict(now)
			}
			a = &attempts{}
			l.keys[k] = a
		}
		a.n++
		a.last = now
		if extra := a.n - l.cfg.FreeAttempts + 1; extra > 0 {
			a.until = now.Add(l.backoff(extra))
		}
	}
	return 0, true, false
}

// succeeded clears the count of user.
func (l *limiter) succeeded(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, "u:"+user)
}

// get returns the attempts of k, forgetting them when quiet long enough.
func (l *limiter) get(k string, now time.Time) *attempts {
	a := l.keys[k]
	if a != nil && now.Sub(a.last) > time.Duration(l.cfg.ForgetAfter) && !now.Before(a.until) {
		delete(l.keys, k)
		return nil
	}
	return a
}

// backoff is the wait before the extra-th attempt beyond the free ones.
func (l *limiter) backoff(extra int) time.Duration {
	d, ceiling := time.Duration(l.cfg.Backoff), time.Duration(l.cfg.MaxBackoff)
	for i := 1; i < extra && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

// evict forgets what is forgettable, or else the key quiet longest.
func (l *limiter) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for k, a := range l.keys {
		if l.get(k, now) == nil {
			continue
		}
		if oldest == "" || a.last.Before(oldestAt) {
			oldest, oldestAt = k, a.last
		}
	}
	if len(l.keys) >= maxTracked && oldest != "" {
		delete(l.keys, oldest)
	}
}

// addrKey is the unit an address is throttled by: the IPv4 address, or
// the /64 of an IPv6 address (one host commonly holds a whole /64).
func addrKey(addr string) string {
	ap, err := netip.ParseAddrPort(addr)
	var ip netip.Addr
	if err == nil {
		ip = ap.Addr()
	} else if ip, err = netip.ParseAddr(addr); err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
