package file

import (
	"fmt"
	"io"
)

// A JSON value printed over several lines (jq, json.dumps(indent=…),
// PowerShell's ConvertTo-Json, an exported array of events) is one record,
// not one per line. A line that opens one, starting with '{' or '[' and
// not closing it (its brackets, outside strings, do not balance), is held
// with the lines after it until the value closes; the record is those
// lines as they are in the file, from the first byte of the opening line
// to the end of the closing one (a CR before its LF dropped), at the
// opening line's offset. Nothing past that offset is consumed (so
// checkpointed) until the record is handed on, so a restart assembles it
// again.
//
// Bounds: a value longer than max_line_bytes, a line that cannot continue
// it (one that is not indented, unless it closes a bracket: a syslog or
// text line, the next NDJSON record after one cut short; one that starts
// with a letter other than those of true, false and null; a line that
// ends inside a string), and the end of a file read for good end the
// attempt: the held lines are handed on one by one, as lines, and nothing
// is lost. A line whose brackets balance on it is a line as before, so
// NDJSON pays only a look at its first and last bytes.

// jsonHold is the state of one held value.
type jsonHold struct {
	buf   []byte // the held lines, each with its LF
	ends  []int  // the end of each line in buf, after its LF
	start int64  // the offset of the opening line
	depth int
	str   bool // inside a string
	esc   bool // after a backslash in a string
}

func (h *jsonHold) held() bool { return len(h.ends) > 0 }

func (h *jsonHold) clear() {
	h.buf, h.ends = h.buf[:0], h.ends[:0]
	h.depth, h.str, h.esc = 0, false, false
}

// scan follows the brackets of line; it reports whether the value closed.
func (h *jsonHold) scan(line []byte) bool {
	for _, c := range line {
		switch {
		case h.esc:
			h.esc = false
		case h.str:
			switch c {
			case '\\':
				h.esc = true
			case '"':
				h.str = false
			}
		case c == '"':
			h.str = true
		case c == '{' || c == '[':
			h.depth++
		case c == '}' || c == ']':
			h.depth--
			if h.depth <= 0 {
				return true
			}
		}
	}
	return false
}

// mayOpenJSON is the first-byte test of opensJSON, cheap enough to inline
// into the splitter's loop.
func mayOpenJSON(line []byte) bool {
	return len(line) > 0 && (line[0] == '{' || line[0] == '[' || line[0] == ' ' || line[0] == '\t')
}

// opensJSON reports whether line may open a value printed over several
// lines: it starts with '{' or '[' and does not end with '}' or ']'.
func opensJSON(line []byte) bool {
	i, j := 0, len(line)
	for i < j && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	for j > i && (line[j-1] == ' ' || line[j-1] == '\t' || line[j-1] == '\r') {
		j--
	}
	return i < j && (line[i] == '{' || line[i] == '[') && line[j-1] != '}' && line[j-1] != ']'
}

// continuesJSON reports whether line may be inside a value printed over
// several lines: blank, or indented and starting (after the white space)
// with what a member, an element or a closing bracket starts with, or a
// closing bracket at its start. Pretty-printers indent what is inside the
// value; a line at column 0 that opens a value is the next record (the
// line before it was an NDJSON record cut short, not an opening line).
func continuesJSON(line []byte) bool {
	indented := false
	for _, c := range line {
		switch c {
		case ' ', '\t', '\r':
			indented = true
			continue
		case '}', ']':
			return true
		case '"', '{', '[', ',', ':', '-', 't', 'f', 'n':
			return indented
		}
		return indented && c >= '0' && c <= '9'
	}
	return true
}

// complete handles a complete line (without its LF) that starts at start:
// it is held, ends a held value, or is handed on.
func (ls *lineSplitter) complete(line []byte, start int64, emit func(line []byte, start int64, cut bool)) {
	h := &ls.js
	if h.held() {
		if continuesJSON(line) && len(h.buf)+len(line) < ls.max {
			h.buf = append(append(h.buf, line...), '\n')
			h.ends = append(h.ends, len(h.buf))
			if h.scan(line) {
				emit(trimCR(h.buf[:len(h.buf)-1]), h.start, false)
				h.clear()
			} else if h.str {
				// A line of pretty-printed JSON ends outside strings.
				ls.release(emit)
			}
			return
		}
		ls.release(emit)
	}
	if opensJSON(line) {
		h.clear()
		if !h.scan(line) && !h.str {
			h.buf = append(append(h.buf, line...), '\n')
			h.ends = append(h.ends, len(h.buf))
			h.start = start
			return
		}
		h.clear()
	}
	emit(trimCR(line), start, false)
}

// release hands on the held lines one by one: the value did not close.
func (ls *lineSplitter) release(emit func(line []byte, start int64, cut bool)) {
	h := &ls.js
	from := 0
	for _, end := range h.ends {
		emit(trimCR(h.buf[from:end-1]), h.start+int64(from), false)
		from = end
	}
	h.clear()
}

// ReadRecords reads r as the file source reads a file: its lines (a CR
// before LF dropped, a last line without LF included), each JSON value
// printed over several lines as one record (jsonHold), each with its
// offset. A line or value longer than max is cut to max (cut true). fn's
// record is valid only during the call. It is what `vigil parse` reads
// its input with, so a sample file parses as the tailer would read it.
func ReadRecords(r io.Reader, max int, fn func(rec []byte, start int64, cut bool) error) error {
	ls := newLineSplitter(max, 0)
	var ferr error
	emit := func(rec []byte, start int64, cut bool) {
		if ferr == nil {
			ferr = fn(rec, start, cut)
		}
	}
	buf := make([]byte, 64<<10)
	for ferr == nil {
		n, err := r.Read(buf)
		if n > 0 {
			ls.feed(buf[:n], emit)
		}
		if err == io.EOF {
			ls.flush(emit)
			break
		}
		if err != nil {
			return fmt.Errorf("read records: %w", err)
		}
	}
	return ferr
}
