package awslog

import (
	"archive/zip"
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// fields renders the non-envelope fields of e as "name=value" lines, sorted
// as set, for comparisons.
func fields(e *event.Event) map[string]string {
	m := map[string]string{}
	for _, f := range e.Fields {
		m[f.Name] = f.Value.Text()
	}
	if !e.Timestamp.IsZero() {
		m["@timestamp"] = e.Timestamp.Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return m
}

// otrfCloudTrailLines returns the CloudTrail records of the OTRF
// ec2_proxy_s3_exfiltration set: one JSON record per line.
func otrfCloudTrailLines(tb testing.TB) [][]byte {
	tb.Helper()
	p := testutil.SharedData(tb, "otrf/datasets/atomic/aws/collection/ec2_proxy_s3_exfiltration.zip")
	zr, err := zip.OpenReader(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	var lines [][]byte
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
				lines = append(lines, append([]byte(nil), l...))
			}
		}
		rc.Close()
		if err := sc.Err(); err != nil {
			tb.Fatal(err)
		}
	}
	if len(lines) == 0 {
		tb.Fatal("no CloudTrail records in the OTRF set")
	}
	return lines
}

// cloudTrailDocument wraps records the way CloudTrail writes a log file.
func cloudTrailDocument(recs [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// split collects the records SplitCloudTrail finds.
func split(tb testing.TB, r io.Reader) (recs []string, errs []error, err error) {
	tb.Helper()
	var want int64 = 1
	err = SplitCloudTrail(r, func(n int64, rec []byte, rerr error) error {
		if n != want {
			tb.Fatalf("ordinal %d, want %d", n, want)
		}
		want++
		recs = append(recs, string(rec))
		errs = append(errs, rerr)
		return nil
	})
	return recs, errs, err
}
