package objstore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDetect(t *testing.T) {
	f := func(name, head, want string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			got, err := detectHead([]byte(head))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("detectHead = %s, want %s", got, want)
			}
		})
	}
	f("cloudtrail file", `{"Records":[{"eventVersion":"1.08"}]}`, LayoutCloudTrail)
	f("pretty cloudtrail", "\xEF\xBB\xBF\n{\n  \"Records\": [", LayoutCloudTrail)
	f("cloudtrail records per line", `{"eventVersion":"1.05","eventSource":"ec2.amazonaws.com","eventName":"X"}`+"\n{}", LayoutCloudTrail)
	f("other json lines", `{"eventVersion":"1","eventSource":"app"}`+"\n", LayoutLines)
	f("digest file", `{"awsAccountId":"1","digestStartTime":"x"}`, LayoutLines)
	f("flow log", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 1 eni-1 - - - - - - - 1 2 - NODATA\n", LayoutVPCFlow)
	f("flow log with CRLF", "srcaddr dstaddr action\r\n", LayoutVPCFlow)
	f("syslog", "<34>1 2024-01-01T00:00:00Z host app - - - hello\n", LayoutLines)
	f("empty", "", LayoutLines)
	if _, err := detectHead([]byte("PAR1\x15\x04")); !errors.Is(err, errParquet) {
		t.Fatalf("parquet: %v", err)
	}
}

func TestReadLines(t *testing.T) {
	type line struct {
		n   int64
		s   string
		cut bool
	}
	f := func(name, in string, max int, want ...line) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			for _, small := range []bool{false, true} {
				var r io.Reader = strings.NewReader(in)
				if small {
					r = iotest.HalfReader(r)
				}
				// A 16-byte buffer makes lines longer than the buffer.
				br := bufio.NewReaderSize(r, 16)
				var got []line
				err := readLines(br, max, func(n int64, l []byte, cut bool) error {
					got = append(got, line{n, string(l), cut})
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("got %+v, want %+v", got, want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("line %d: %+v, want %+v", i, got[i], want[i])
					}
				}
			}
		})
	}
	f("plain", "a\nb\n", 100, line{1, "a", false}, line{2, "b", false})
	f("no final LF", "a\nb", 100, line{1, "a", false}, line{2, "b", false})
	f("CRLF", "a\r\nb\r\n", 100, line{1, "a", false}, line{2, "b", false})
	f("empty lines count", "\n\nc\n", 100, line{1, "", false}, line{2, "", false}, line{3, "c", false})
	f("empty", "", 100)
	f("long line", strings.Repeat("x", 40)+"\nok\n", 100, line{1, strings.Repeat("x", 40), false}, line{2, "ok", false})
	f("cut", strings.Repeat("x", 40)+"\nok\n", 10, line{1, strings.Repeat("x", 10), true}, line{2, "ok", false})
	f("exactly max with CRLF", strings.Repeat("y", 30)+"\r\nz", 30, line{1, strings.Repeat("y", 30), false}, line{2, "z", false})
	f("max+1", strings.Repeat("y", 31)+"\n", 30, line{1, strings.Repeat("y", 30), true})
	f("cut last line without LF", strings.Repeat("q", 50), 20, line{1, strings.Repeat("q", 20), true})
}

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestOpenContent(t *testing.T) {
	read := func(raw []byte) (string, error) {
		br, err := openContent(bytes.NewReader(raw))
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(br)
		return string(b), err
	}
	if got, err := read([]byte("plain\n")); err != nil || got != "plain\n" {
		t.Errorf("plain: %q %v", got, err)
	}
	if got, err := read(gz(t, []byte("zipped\n"))); err != nil || got != "zipped\n" {
		t.Errorf("gzip: %q %v", got, err)
	}
	// Concatenated members, as some writers append.
	if got, err := read(append(gz(t, []byte("one\n")), gz(t, []byte("two\n"))...)); err != nil || got != "one\ntwo\n" {
		t.Errorf("members: %q %v", got, err)
	}
	if got, err := read(nil); err != nil || got != "" {
		t.Errorf("empty: %q %v", got, err)
	}
	z := gz(t, bytes.Repeat([]byte("data "), 1000))
	_, err := read(z[:len(z)/2])
	if err == nil || transient(err) || !strings.Contains(err.Error(), "decompress gzip") {
		t.Errorf("truncated gzip: %v (transient %v)", err, err != nil && transient(err))
	}
	_, err = read([]byte{0x1f, 0x8b, 0, 0})
	if err == nil || transient(err) {
		t.Errorf("bad gzip header: %v", err)
	}
	// A broken connection inside a gzip stream stays a stream error.
	br, err := openContent(&countingReader{r: &brokenReader{r: bytes.NewReader(z), n: 30}})
	if err == nil {
		_, err = io.ReadAll(br)
	}
	if !transient(err) {
		t.Errorf("broken stream: %v is not transient", err)
	}
}
