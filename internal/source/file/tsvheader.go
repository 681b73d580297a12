package file

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// MaxTSVColumns bounds the columns a #fields header may name: Zeek's
// widest logs have under 60; a header past the bound is not used (the
// file's lines are then read as plain records), so a hostile header
// cannot make every line cost thousands of fields.
const MaxTSVColumns = 256

// TSVHeader is the header of a self-describing tab-separated log, as
// Zeek's ASCII writer (LogAscii, its default) writes one at the top of
// every file:
//
//	#separator \x09
//	#set_separator	,
//	#empty_field	(empty)
//	#unset_field	-
//	#path	conn
//	#open	2023-08-16-01-28-55
//	#fields	ts	uid	id.orig_h	id.orig_p	…
//	#types	time	string	addr	port	…
//
// and "#close …" at the end. A file is such a log when its first line
// starts with "#separator ". The tailer keeps the header of each file it
// reads (read again from the file's start when it resumes from a
// checkpoint) and gives each data line its columns by name as the
// record's fields: the names of #fields, #path as _path, unset and empty
// values left out, set and vector columns as lists. So a line is normalised like the same record in
// Zeek's JSON form, whatever columns and order this Zeek version or
// configuration writes. The header lines themselves are not records.
// `vigil parse` reads its input with one too.
type TSVHeader struct {
	on                         bool // the file began with #separator
	sep                        string
	setSep, empty, unset, path string
	names                      []string
	list                       []bool // the column is a set or a vector
}

// HeaderLine reports whether line, starting at offset start of its file,
// is a header line: the first line of a file when it is "#separator …",
// and every line starting with '#' after it. It takes what the line
// says.
func (h *TSVHeader) HeaderLine(line []byte, start int64) bool {
	if start == 0 {
		*h = TSVHeader{}
		v, ok := bytes.CutPrefix(line, []byte("#separator "))
		if !ok {
			return false
		}
		h.on, h.sep = true, unescapeTSV(string(v))
		if h.sep == "" {
			h.sep = "\t"
		}
		h.setSep, h.empty, h.unset = ",", "(empty)", "-"
		return true
	}
	if !h.on || len(line) == 0 || line[0] != '#' {
		return false
	}
	key, val, _ := strings.Cut(string(line[1:]), h.sep)
	switch key {
	case "set_separator":
		h.setSep = unescapeTSV(val)
	case "empty_field":
		h.empty = val
	case "unset_field":
		h.unset = val
	case "path":
		h.path = val
	case "fields":
		h.names = strings.Split(val, h.sep)
		h.list = make([]bool, len(h.names))
		if len(h.names) > MaxTSVColumns {
			h.names, h.list = nil, nil
		}
	case "types":
		types := strings.Split(val, h.sep)
		if len(types) == len(h.names) {
			for i, t := range types {
				h.list[i] = strings.HasPrefix(t, "set[") || strings.HasPrefix(t, "vector[")
			}
		}
	}
	return true
}

// AppendFields appends the columns of data line to dst by name, and
// _path; it appends nothing when the file has no #fields header or the
// line has another number of columns than the header names.
func (h *TSVHeader) AppendFields(dst []event.Field, line []byte) []event.Field {
	if !h.on || len(h.names) == 0 {
		return dst
	}
	s := string(line)
	if strings.Count(s, h.sep)+1 != len(h.names) {
		return dst
	}
	if h.path != "" {
		dst = append(dst, event.Field{Name: "_path", Value: event.String(h.path)})
	}
	for i, name := range h.names {
		v, rest, _ := strings.Cut(s, h.sep)
		s = rest
		switch {
		case v == h.unset || v == h.empty || name == "":
		case h.list[i]:
			items := strings.Split(v, h.setSep)
			for j := range items {
				items[j] = unescapeTSV(items[j])
			}
			dst = append(dst, event.Field{Name: name, Value: event.List(items)})
		default:
			dst = append(dst, event.Field{Name: name, Value: event.String(unescapeTSV(v))})
		}
	}
	return dst
}

// unescapeTSV decodes the \xHH escapes Zeek writes for separators and
// non-printable bytes in values; other text is returned as it is.
func unescapeTSV(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// maxTSVHeaderBytes bounds what is read again from a file's start for its
// header when reading resumes past it: Zeek's header is under 2 KiB.
const maxTSVHeaderBytes = 64 << 10

// readTSVHeader reads the header of f again from its start, for a file
// whose reading resumes at offset: the header lines before offset (at
// most maxTSVHeaderBytes of them). A file that is no such log, or that
// cannot be read, gives no header.
func readTSVHeader(f *os.File, offset int64, maxLine int) TSVHeader {
	var h TSVHeader
	buf := make([]byte, min(offset, maxTSVHeaderBytes))
	n, _ := f.ReadAt(buf, 0)
	ls := newLineSplitter(maxLine, 0)
	done := false
	ls.feed(buf[:n], func(line []byte, start int64, _ bool) {
		if !done && !h.HeaderLine(line, start) {
			done = true
		}
	})
	return h
}
