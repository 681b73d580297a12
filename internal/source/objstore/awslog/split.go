package awslog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MaxRecordBytes bounds one CloudTrail record. CloudTrail's own events stay
// far below it (the service caps an event at 256 KB); a larger "record" is
// reported with ErrRecordTooLarge and its first MaxRecordBytes bytes, and
// the split goes on with the next one.
const MaxRecordBytes = 4 << 20

// ErrRecordTooLarge is passed to the split callback for a record longer
// than the limit.
var ErrRecordTooLarge = errors.New("cloudtrail record too large")

// SplitCloudTrail calls fn with every CloudTrail record of r, in order, and
// its ordinal (1, 2, …, counted across the whole of r). It accepts
// {"Records":[…]} documents (other members of the document are skipped),
// top-level JSON arrays of records and top-level records one after another
// (NDJSON), in any mix. rec is only valid during the call; err is non-nil
// for a record that cannot be used (ErrRecordTooLarge: rec is its
// beginning). The records are not validated here: CloudTrail does it.
//
// A structural error (a top-level value that is not an object or an array,
// a file cut in the middle of a value) ends the split with an error naming
// the byte offset; the records before it were passed to fn. An error fn
// returns ends the split and is returned as it is.
func SplitCloudTrail(r io.Reader, fn func(n int64, rec []byte, err error) error) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	s := &splitter{r: br, max: MaxRecordBytes, fn: fn}
	return s.run()
}

type splitter struct {
	r       *bufio.Reader
	off     int64
	buf     []byte
	max     int
	over    bool
	discard bool
	n       int64
	fn      func(n int64, rec []byte, err error) error
}

// errStop carries an error of the callback through the scanner.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

func (s *splitter) run() error {
	if b, _ := s.r.Peek(3); len(b) == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, _ = s.r.Discard(3) // a UTF-8 byte order mark
		s.off = 3
	}
	for {
		c, err := s.skipSpace()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return s.fail(err)
		}
		switch c {
		case '{':
			err = s.object()
		case '[':
			err = s.array()
		default:
			err = fmt.Errorf("want '{' or '[' at the top level, found %q", c)
		}
		if err != nil {
			return s.fail(err)
		}
	}
}

func (s *splitter) fail(err error) error {
	var st errStop
	if errors.As(err, &st) {
		return st.err
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("split cloudtrail file at byte %d: %w", s.off, err)
}

func (s *splitter) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil {
		s.off++
	}
	return c, err
}

func (s *splitter) unreadByte() {
	if s.r.UnreadByte() == nil {
		s.off--
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the next byte that is not white space, consumed.
func (s *splitter) skipSpace() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil {
			return 0, err
		}
		if !isSpace(c) {
			return c, nil
		}
	}
}

func (s *splitter) put(c byte) {
	if s.discard {
		return
	}
	if len(s.buf) >= s.max {
		s.over = true
		return
	}
	s.buf = append(s.buf, c)
}

func (s *splitter) start() {
	s.buf, s.over, s.discard = s.buf[:0], false, false
}

func (s *splitter) emit() error {
	s.n++
	var err error
	if s.over {
		err = ErrRecordTooLarge
	}
	if ferr := s.fn(s.n, s.buf, err); ferr != nil {
		return errStop{ferr}
	}
	return nil
}

// object reads a top-level object whose '{' was consumed: a document whose
// first member is "Records", or a record.
func (s *splitter) object() error {
	s.start()
	s.put('{')
	c, err := s.skipSpace()
	if err != nil {
		return err
	}
	if c == '}' {
		s.put('}')
		return s.emit()
	}
	if c != '"' {
		return fmt.Errorf("want a member name, found %q", c)
	}
	s.put('"')
	keyStart := len(s.buf)
	if err := s.str(); err != nil {
		return err
	}
	if s.over || string(s.buf[keyStart:len(s.buf)-1]) != "Records" {
		if err := s.nested(1); err != nil {
			return err
		}
		return s.emit()
	}
	return s.document()
}

// document reads the members of a {"Records":…} document after the first
// name: each "Records" array is split, other members skipped.
func (s *splitter) document() error {
	key := "Records"
	for {
		c, err := s.skipSpace()
		if err != nil {
			return err
		}
		if c != ':' {
			return fmt.Errorf("want ':' after a member name, found %q", c)
		}
		if c, err = s.skipSpace(); err != nil {
			return err
		}
		if key == "Records" && c == '[' {
			if err := s.array(); err != nil {
				return err
			}
		} else {
			s.start()
			s.discard = true
			if err := s.value(c); err != nil {
				return err
			}
		}
		if c, err = s.skipSpace(); err != nil {
			return err
		}
		switch c {
		case '}':
			return nil
		case ',':
		default:
			return fmt.Errorf("want ',' or '}' in a document, found %q", c)
		}
		if c, err = s.skipSpace(); err != nil {
			return err
		}
		if c != '"' {
			return fmt.Errorf("want a member name, found %q", c)
		}
		s.start()
		s.put('"')
		if err := s.str(); err != nil {
			return err
		}
		key = string(s.buf[1 : len(s.buf)-1])
	}
}

// array splits an array whose '[' was consumed: each element is a record.
func (s *splitter) array() error {
	c, err := s.skipSpace()
	if err != nil {
		return err
	}
	if c == ']' {
		return nil
	}
	for {
		s.start()
		if err := s.value(c); err != nil {
			return err
		}
		if err := s.emit(); err != nil {
			return err
		}
		if c, err = s.skipSpace(); err != nil {
			return err
		}
		switch c {
		case ']':
			return nil
		case ',':
		default:
			return fmt.Errorf("want ',' or ']' between records, found %q", c)
		}
		if c, err = s.skipSpace(); err != nil {
			return err
		}
	}
}

// value reads one JSON value whose first byte c was consumed.
func (s *splitter) value(c byte) error {
	s.put(c)
	switch c {
	case '"':
		return s.str()
	case '{', '[':
		return s.nested(1)
	case ',', ':', '}', ']':
		return fmt.Errorf("want a value, found %q", c)
	}
	for {
		c, err := s.readByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if isSpace(c) || c == ',' || c == ']' || c == '}' || c == ':' {
			s.unreadByte()
			return nil
		}
		s.put(c)
	}
}

// nested reads to the end of an object or array, depth levels deep.
// Brackets are counted, not matched: the record's own validation catches
// a '{' closed by ']'.
func (s *splitter) nested(depth int) error {
	for depth > 0 {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		s.put(c)
		switch c {
		case '"':
			if err := s.str(); err != nil {
				return err
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return nil
}

// str reads the rest of a string whose opening quote was consumed.
func (s *splitter) str() error {
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		s.put(c)
		switch c {
		case '"':
			return nil
		case '\\':
			c, err := s.readByte()
			if err != nil {
				return err
			}
			s.put(c)
		}
	}
}
