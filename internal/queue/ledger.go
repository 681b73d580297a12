package queue

import (
	"errors"
	"fmt"
	"io"
	"os"
)

const ledgerName = "ledger"

// ledger remembers what the reader has delivered. It is updated in place,
// atomically, without a rename: the file holds two fixed-size slots, each
// with its own checksum and a generation number. Updates go to the slot
// that the last fsync did not make durable, as often as they come, and an
// fsync makes it the durable one, so the next updates go to the other
// slot. A crash can therefore tear only the slot written since the last
// fsync; the durable one still holds the state of that fsync. Open takes
// the valid slot with the higher generation.
//
// The ledger is written on every acknowledgement (a write to the page
// cache, which a killed process does not lose) and fsynced by the queue's
// interval timer and on Close, not on every Ack: an acknowledgement lost to
// a power failure only makes the output deliver up to one interval of
// records again, which receivers drop by event.id, and syncing on every Ack
// would double the fsyncs of the delivery path.
type ledger struct {
	f       File
	state   ledgerState
	slot    int  // the slot holding state
	durable int  // the slot the last fsync made durable: not written until the next; -1: none
	dirty   bool // written since the last sync
	buf     []byte
}

// openLedger opens or creates the ledger of dir. lost reports a ledger that
// existed but had no valid slot (both torn or corrupt): the queue then
// redelivers from its oldest record.
func openLedger(fsys FS, dir string, sync bool) (l *ledger, lost bool, err error) {
	name := join(dir, ledgerName)
	f, err := fsys.OpenFile(name, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		f, err = fsys.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("create ledger: %w", err)
		}
		l = &ledger{f: f, durable: -1}
		if err := l.write(ledgerState{}); err != nil {
			f.Close()
			return nil, false, err
		}
		if sync {
			if err := l.sync(); err != nil {
				f.Close()
				return nil, false, err
			}
			if err := fsys.SyncDir(dir); err != nil {
				f.Close()
				return nil, false, fmt.Errorf("create ledger: %w", err)
			}
		}
		return l, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open ledger: %w", err)
	}
	l = &ledger{f: f, durable: -1}
	size, err := f.Size()
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("open ledger: %w", err)
	}
	b := make([]byte, ledgerSize)
	n, err := f.ReadAt(b[:min(size, ledgerSize)], 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, false, fmt.Errorf("read ledger: %w", err)
	}
	found := false
	for i := 0; i < 2; i++ {
		if n < (i+1)*ledgerSlotSize {
			break
		}
		s, err := parseLedgerSlot(b[i*ledgerSlotSize:])
		if errors.Is(err, errLedgerVersion) {
			f.Close()
			return nil, false, fmt.Errorf("open ledger: %w", err)
		}
		if err == nil && (!found || s.gen > l.state.gen) {
			l.state, l.slot, found = s, i, true
		}
	}
	if found {
		// It was durable for the process that wrote it; the queue syncs it
		// at Open in case that process was killed before its fsync.
		l.durable = l.slot
	}
	// An empty file is a ledger whose creation a crash interrupted, not a
	// lost one.
	return l, !found && size > 0, nil
}

// write stores s in the slot that is not durable.
func (l *ledger) write(s ledgerState) error {
	s.gen = l.state.gen + 1
	slot := 1 - l.slot
	if l.durable >= 0 {
		slot = 1 - l.durable
	}
	l.buf = appendLedgerSlot(l.buf[:0], s)
	if _, err := l.f.WriteAt(l.buf, int64(slot)*ledgerSlotSize); err != nil {
		return fmt.Errorf("write ledger: %w", err)
	}
	l.state, l.slot, l.dirty = s, slot, true
	return nil
}

func (l *ledger) sync() error {
	if !l.dirty {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sync ledger: %w", err)
	}
	l.durable, l.dirty = l.slot, false
	return nil
}
