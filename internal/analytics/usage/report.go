package usage

import (
	"sort"
	"time"
)

// Report is a tenant's usage over a range, as /api/v1/usage returns it.
type Report struct {
	Tenant string    `json:"tenant"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	// Events and Bytes are exact: every event the store acknowledged in
	// the hours of the range, and the bytes of their original records.
	Events int64 `json:"events"`
	Bytes  int64 `json:"bytes"`
	// EPSAvg is Events over the seconds of the range (up to now);
	// EPSPeak the most events of any one second in it.
	EPSAvg  float64 `json:"eps_avg"`
	EPSPeak int64   `json:"eps_peak"`
	ByDay   []Day   `json:"by_day"`
	// Quota is the tenant's quota, when it has one.
	Quota *QuotaReport `json:"quota,omitempty"`
}

// Day is one UTC day of a Report.
type Day struct {
	Date    string  `json:"date"`
	Events  int64   `json:"events"`
	Bytes   int64   `json:"bytes"`
	EPSAvg  float64 `json:"eps_avg"`
	EPSPeak int64   `json:"eps_peak"`
}

// QuotaReport shows a quota and whether the tenant is past it today.
type QuotaReport struct {
	EPS           int64 `json:"eps,omitempty"`
	EventsPerDay  int64 `json:"events_per_day,omitempty"`
	ExceededToday bool  `json:"exceeded_today"`
	// OverQuotaToday counts today's events past a quota: all of them
	// stored, none dropped.
	OverQuotaToday int64 `json:"over_quota_events_today"`
}

// Usage reports a tenant's usage from from to to. Counts are kept per
// hour: from is taken down and to up to whole hours (UTC). A zero to is
// now; a zero from is DefaultRange before to.
func (m *Meter) Usage(tenantName string, from, to time.Time) Report {
	now := m.now().UTC()
	if to.IsZero() || to.After(now) {
		to = now
	}
	if from.IsZero() {
		from = to.Add(-DefaultRange)
	}
	from = from.UTC().Truncate(time.Hour)
	toHour := to.UTC().Truncate(time.Hour)
	if !toHour.Equal(to) {
		toHour = toHour.Add(time.Hour)
	}
	r := Report{Tenant: tenantName, From: from, To: to.UTC(), ByDay: []Day{}}
	m.mu.Lock()
	defer m.mu.Unlock()
	if q, ok := m.opts.Quotas[tenantName]; ok && (q.EPS > 0 || q.EventsPerDay > 0) {
		r.Quota = &QuotaReport{EPS: q.EPS, EventsPerDay: q.EventsPerDay}
	}
	t := m.tenants[tenantName]
	if t == nil {
		return r
	}
	if r.Quota != nil {
		today := now.Unix() / 86400
		r.Quota.ExceededToday = t.overEPS == today || t.overDay == today
		if t.day == today {
			r.Quota.OverQuotaToday = t.overCount
		}
	}
	days := map[int64]*Day{}
	lo, hi := from.Unix()/3600, toHour.Unix()/3600
	for h, b := range t.hours {
		if h < lo || h >= hi {
			continue
		}
		r.Events += b.Events
		r.Bytes += b.Bytes
		r.EPSPeak = max(r.EPSPeak, b.Peak)
		d := days[h/24]
		if d == nil {
			d = &Day{Date: time.Unix(h*3600, 0).UTC().Format(time.DateOnly)}
			days[h/24] = d
		}
		d.Events += b.Events
		d.Bytes += b.Bytes
		d.EPSPeak = max(d.EPSPeak, b.Peak)
	}
	if secs := to.Sub(from).Seconds(); secs > 0 {
		r.EPSAvg = float64(r.Events) / secs
	}
	for day, d := range days {
		start := time.Unix(day*86400, 0)
		end := start.Add(24 * time.Hour)
		if end.After(now) {
			end = now
		}
		if secs := end.Sub(start).Seconds(); secs > 0 {
			d.EPSAvg = float64(d.Events) / secs
		}
		r.ByDay = append(r.ByDay, *d)
	}
	sort.Slice(r.ByDay, func(i, k int) bool { return r.ByDay[i].Date < r.ByDay[k].Date })
	return r
}
