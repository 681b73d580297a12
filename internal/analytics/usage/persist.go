package usage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The files of docs/format/usage.md.
const (
	snapshotName  = "usage.json"
	journalPrefix = "journal-"
	journalSuffix = ".log"
	// formatVersion is the version of the snapshot and journal formats.
	formatVersion = 1
)

// snapshot is the saved state: every tenant's hourly buckets, and the
// sequence number of the first journal written after it.
type snapshot struct {
	Version     int                       `json:"version"`
	NextJournal int64                     `json:"next_journal"`
	Tenants     map[string]snapshotTenant `json:"tenants"`
}

type snapshotTenant struct {
	// Hours are [unix hour, events, bytes, peak eps] rows, oldest first.
	Hours [][4]int64 `json:"hours"`
	// Sec and SecCount carry the current second over a restart, so its
	// peak does not restart at zero.
	Sec        int64 `json:"sec"`
	SecCount   int64 `json:"sec_count"`
	AlertedEPS int64 `json:"alerted_eps_day,omitempty"`
	AlertedDay int64 `json:"alerted_day_day,omitempty"`
}

// journal is the append-only file of counts since the last snapshot: one
// line per tenant and batch, "<unix second> <quoted tenant> <events>
// <bytes>\n". A line is written with one write(2) before the batch is
// acknowledged to its source, so a process crash loses none; a torn last
// line (an operating system crash mid-write) is ignored at replay.
type journal struct {
	f   *os.File
	seq int64
	buf []byte
}

func journalPath(dir string, seq int64) string {
	return filepath.Join(dir, fmt.Sprintf("%s%016d%s", journalPrefix, seq, journalSuffix))
}

func (j *journal) append(sec int64, tenant string, n, b int64) error {
	j.buf = appendLine(j.buf[:0], sec, tenant, n, b)
	if _, err := j.f.Write(j.buf); err != nil {
		return fmt.Errorf("append usage journal: %w", err)
	}
	return nil
}

// appendLine appends one journal line to buf.
func appendLine(buf []byte, sec int64, tenant string, n, b int64) []byte {
	buf = strconv.AppendInt(buf, sec, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendQuote(buf, tenant)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, n, 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, b, 10)
	return append(buf, '\n')
}

func (j *journal) close() error {
	if err := j.f.Sync(); err != nil {
		j.f.Close()
		return fmt.Errorf("sync usage journal: %w", err)
	}
	return j.f.Close()
}

// journals lists the journal sequence numbers in dir, in order.
func journals(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list usage journals: %w", err)
	}
	var seqs []int64
	for _, e := range ents {
		n, ok := strings.CutPrefix(e.Name(), journalPrefix)
		if !ok {
			continue
		}
		n, ok = strings.CutSuffix(n, journalSuffix)
		if !ok {
			continue
		}
		if s, err := strconv.ParseInt(n, 10, 64); err == nil {
			seqs = append(seqs, s)
		}
	}
	sort.Slice(seqs, func(i, k int) bool { return seqs[i] < seqs[k] })
	return seqs, nil
}

// load reads the snapshot and replays the journals written after it.
// Called before the meter is shared.
func (m *Meter) load() error {
	var snap snapshot
	b, err := os.ReadFile(filepath.Join(m.opts.Dir, snapshotName))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read usage snapshot: %w", err)
	default:
		if err := json.Unmarshal(b, &snap); err != nil {
			return fmt.Errorf("read usage snapshot %s: %w", filepath.Join(m.opts.Dir, snapshotName), err)
		}
		if snap.Version != formatVersion {
			return fmt.Errorf("read usage snapshot: version %d, want %d", snap.Version, formatVersion)
		}
	}
	for name, st := range snap.Tenants {
		t := m.tenant(name)
		if t == nil {
			continue
		}
		for _, h := range st.Hours {
			t.hours[h[0]] = &bucket{Events: h[1], Bytes: h[2], Peak: h[3]}
			if h[0]/24 == st.Sec/86400 {
				t.dayCount += h[1]
				t.peakEPS = max(t.peakEPS, h[3])
			}
		}
		t.sec, t.secCount, t.day = st.Sec, st.SecCount, st.Sec/86400
		t.alertedEPS, t.alertedDay = st.AlertedEPS, st.AlertedDay
	}
	seqs, err := journals(m.opts.Dir)
	if err != nil {
		return err
	}
	next := snap.NextJournal
	for _, s := range seqs {
		if s < snap.NextJournal {
			continue
		}
		if err := m.replay(journalPath(m.opts.Dir, s)); err != nil {
			return err
		}
		next = s + 1
	}
	m.journal = &journal{seq: next - 1}
	return nil
}

// replay applies one journal.
func (m *Meter) replay(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read usage journal: %w", err)
	}
	r := bufio.NewReader(bytes.NewReader(b))
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			// A line without its newline was torn by a crash mid-write.
			return nil
		}
		sec, tenantName, n, nb, perr := parseJournalLine(strings.TrimSuffix(line, "\n"))
		if perr != nil {
			return fmt.Errorf("read usage journal %s line %d: %w", path, lineNo, perr)
		}
		if t := m.tenant(tenantName); t != nil {
			m.apply(tenantName, t, sec, n, nb)
		}
	}
}

func parseJournalLine(line string) (sec int64, tenant string, n, b int64, err error) {
	secS, rest, ok := strings.Cut(line, " ")
	if !ok {
		return 0, "", 0, 0, errors.New("want: second tenant events bytes")
	}
	if sec, err = strconv.ParseInt(secS, 10, 64); err != nil {
		return 0, "", 0, 0, fmt.Errorf("second: %w", err)
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return 0, "", 0, 0, fmt.Errorf("tenant: %w", err)
	}
	if tenant, err = strconv.Unquote(q); err != nil {
		return 0, "", 0, 0, fmt.Errorf("tenant: %w", err)
	}
	f := strings.Fields(rest[len(q):])
	if len(f) != 2 {
		return 0, "", 0, 0, errors.New("want: second tenant events bytes")
	}
	if n, err = strconv.ParseInt(f[0], 10, 64); err != nil {
		return 0, "", 0, 0, fmt.Errorf("events: %w", err)
	}
	if b, err = strconv.ParseInt(f[1], 10, 64); err != nil {
		return 0, "", 0, 0, fmt.Errorf("bytes: %w", err)
	}
	return sec, tenant, n, b, nil
}

// Snapshot writes every counter to the snapshot file and starts a new
// journal: the old journals are removed once the snapshot that covers
// them is durable.
func (m *Meter) Snapshot() error {
	m.snapMu.Lock()
	defer m.snapMu.Unlock()
	dir := m.opts.Dir
	m.mu.Lock()
	if m.journal == nil {
		m.mu.Unlock()
		return errors.New("snapshot usage: meter closed")
	}
	seq := m.journal.seq + 1
	f, err := os.OpenFile(journalPath(dir, seq), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		m.mu.Unlock()
		m.m.journalErrors.Inc()
		return fmt.Errorf("create usage journal: %w", err)
	}
	old := m.journal
	m.journal = &journal{f: f, seq: seq}
	snap := snapshot{Version: formatVersion, NextJournal: seq, Tenants: make(map[string]snapshotTenant, len(m.tenants))}
	for name, t := range m.tenants {
		st := snapshotTenant{Hours: make([][4]int64, 0, len(t.hours)), Sec: t.sec, SecCount: t.secCount, AlertedEPS: t.alertedEPS, AlertedDay: t.alertedDay}
		for h, b := range t.hours {
			st.Hours = append(st.Hours, [4]int64{h, b.Events, b.Bytes, b.Peak})
		}
		sort.Slice(st.Hours, func(i, k int) bool { return st.Hours[i][0] < st.Hours[k][0] })
		snap.Tenants[name] = st
	}
	m.mu.Unlock()
	if old.f != nil {
		if err := old.close(); err != nil {
			m.m.journalErrors.Inc()
			return err
		}
	}
	body, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("encode usage snapshot: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, snapshotName), body); err != nil {
		m.m.journalErrors.Inc()
		return err
	}
	seqs, err := journals(dir)
	if err != nil {
		return err
	}
	for _, s := range seqs {
		if s < seq {
			if err := os.Remove(journalPath(dir, s)); err != nil {
				return fmt.Errorf("remove usage journal: %w", err)
			}
		}
	}
	return nil
}

// writeFileSync replaces path with body durably: a temporary file, fsync,
// rename, fsync of the directory.
func writeFileSync(path string, body []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("write usage snapshot: %w", err)
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return fmt.Errorf("write usage snapshot: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync usage snapshot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write usage snapshot: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write usage snapshot: %w", err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("sync usage directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync usage directory: %w", err)
	}
	return nil
}
