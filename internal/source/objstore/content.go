package objstore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/vigilsiem/vigil/internal/source/objstore/awslog"
)

// peekBytes is how much of an object's content layout detection sees.
const peekBytes = 64 << 10

// streamError marks an error of the bucket's byte stream (a broken
// connection), which reading the object again may cure; every other error
// of an import is about the content and would come back.
type streamError struct{ err error }

func (e *streamError) Error() string { return e.err.Error() }
func (e *streamError) Unwrap() error { return e.err }

// transient reports whether err may go away on another attempt.
func transient(err error) bool {
	var se *streamError
	return errors.As(err, &se)
}

// countingReader counts the bytes read and marks read errors as stream
// errors.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &streamError{err}
	}
	return n, err
}

// errParquet refuses Parquet objects (VPC Flow Logs can be delivered as
// Parquet), which are not text.
var errParquet = errors.New("object is Parquet, which import does not read: deliver text (optionally gzip) instead")

// openContent returns the content of a raw object stream, decompressed
// when it starts with the gzip magic bytes (whatever its name says;
// concatenated gzip members are read one after another).
func openContent(raw io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(raw, peekBytes)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			if transient(err) {
				return nil, err
			}
			return nil, fmt.Errorf("read gzip header: %w", err)
		}
		return bufio.NewReaderSize(&gzipErrors{zr}, peekBytes), nil
	}
	return br, nil
}

// gzipErrors names decompression errors (other than the stream's own).
type gzipErrors struct{ r io.Reader }

func (g *gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && !transient(err) {
		err = fmt.Errorf("decompress gzip: %w", err)
	}
	return n, err
}

// detect chooses the layout of content from its first bytes:
//   - a JSON object whose first member is "Records" (CloudTrail's log file),
//     or a first line holding a JSON object with "eventVersion" and an
//     "eventSource" of *.amazonaws.com (CloudTrail records one per line):
//     cloudtrail;
//   - a first line of flow log field names (awslog.IsFlowHeader): vpcflow;
//   - anything else: lines.
func detect(br *bufio.Reader) (string, error) {
	head, err := br.Peek(peekBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", err
	}
	return detectHead(head)
}

func detectHead(head []byte) (string, error) {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return "", errParquet
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	first := trimmed
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if len(trimmed) > 0 && trimmed[0] == '{' {
		rest := bytes.TrimLeft(trimmed[1:], " \t\r\n")
		if bytes.HasPrefix(rest, []byte(`"Records"`)) {
			return LayoutCloudTrail, nil
		}
		if bytes.Contains(first, []byte(`"eventVersion"`)) && bytes.Contains(first, []byte(`"eventSource"`)) &&
			bytes.Contains(first, []byte(`.amazonaws.com"`)) {
			return LayoutCloudTrail, nil
		}
	}
	if awslog.IsFlowHeader(string(bytes.TrimRight(first, "\r"))) {
		return LayoutVPCFlow, nil
	}
	return LayoutLines, nil
}

// readLines calls fn for every line of br with its number (from 1), the
// line without its LF or CRLF, and whether it was cut to max bytes (the
// rest of it up to the LF is skipped). A last line without LF counts. line
// is only valid during the call.
func readLines(br *bufio.Reader, max int, fn func(n int64, line []byte, cut bool) error) error {
	var buf []byte // a line longer than br's buffer, up to max+2 bytes
	long := false
	var n int64
	for {
		chunk, err := br.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
			return err
		}
		complete := !errors.Is(err, bufio.ErrBufferFull)
		line := chunk
		if long || !complete {
			// Keep max+2 bytes: enough to tell a line of max bytes and
			// CRLF from a longer one.
			if room := max + 2 - len(buf); room > 0 {
				buf = append(buf, chunk[:min(len(chunk), room)]...)
			}
			long = true
			if !complete {
				continue
			}
			line = buf
		}
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		cut := len(line) > max
		if cut {
			line = line[:max]
		}
		n++
		if ferr := fn(n, line, cut); ferr != nil {
			return ferr
		}
		buf, long = buf[:0], false
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}
