package file

import "bytes"

// lineSplitter cuts a byte stream into lines, tracking the offset of each.
// It holds an unterminated last line until more bytes complete it.
type lineSplitter struct {
	max        int
	partial    []byte
	start      int64 // offset of the current line: held in partial, or being discarded
	discarding bool  // skipping the tail of a cut line
	skipped    int64 // bytes of the cut line seen so far
	// consumed is the offset up to which every byte belongs to a complete
	// line that was handed on.
	consumed int64
	// js holds the lines of a JSON value printed over several lines
	// (jsonrecord.go) until it closes.
	js jsonHold
}

func newLineSplitter(max int, offset int64) *lineSplitter {
	return &lineSplitter{max: max, start: offset, consumed: offset}
}

// reset restarts the splitter at offset, forgetting held bytes.
func (ls *lineSplitter) reset(offset int64) {
	ls.js.clear()
	ls.partial = ls.partial[:0]
	ls.discarding, ls.skipped = false, 0
	ls.start, ls.consumed = offset, offset
}

// next is the offset of the next byte to feed.
func (ls *lineSplitter) next() int64 {
	if ls.discarding {
		return ls.start + ls.skipped
	}
	return ls.start + int64(len(ls.partial))
}

// feed splits chunk, which continues the stream at next(), calling emit for
// each complete line with its start offset. A line longer than max is
// emitted cut, with cut set, as soon as it is known to be too long; its
// tail up to the LF is skipped. emit must copy the line to keep it.
func (ls *lineSplitter) feed(chunk []byte, emit func(line []byte, start int64, cut bool)) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if ls.discarding {
			if i < 0 {
				ls.skipped += int64(len(chunk))
				return
			}
			ls.start += ls.skipped + int64(i) + 1
			ls.discarding, ls.skipped = false, 0
			ls.consumed = ls.start
			chunk = chunk[i+1:]
			continue
		}
		if i < 0 {
			ls.partial = append(ls.partial, chunk...)
			if len(ls.partial) > ls.max {
				ls.release(emit)
				emit(trimCR(ls.partial[:ls.max]), ls.start, true)
				ls.skipped = int64(len(ls.partial))
				ls.partial = ls.partial[:0]
				ls.discarding = true
			}
			return
		}
		line := chunk[:i]
		if len(ls.partial) > 0 {
			ls.partial = append(ls.partial, line...)
			line = ls.partial
		}
		n := int64(len(line)) + 1
		if len(line) > ls.max {
			ls.release(emit)
			emit(trimCR(line[:ls.max]), ls.start, true)
		} else if len(ls.js.ends) == 0 && !mayOpenJSON(line) {
			emit(trimCR(line), ls.start, false) // most lines: no value held, none opened
		} else {
			ls.complete(line, ls.start, emit)
		}
		ls.partial = ls.partial[:0]
		ls.start += n
		ls.consumed = ls.start
		if ls.js.held() {
			ls.consumed = ls.js.start
		}
		chunk = chunk[i+1:]
	}
}

// flush hands on the held unterminated line, if any: the file has ended for
// good. Afterwards everything up to next() counts as consumed.
func (ls *lineSplitter) flush(emit func(line []byte, start int64, cut bool)) {
	end := ls.next()
	ls.release(emit)
	if !ls.discarding && len(ls.partial) > 0 {
		emit(trimCR(ls.partial), ls.start, false)
	}
	ls.reset(end)
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
