package objstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// ackInput acknowledges every batch at once and counts records.
type ackInput struct{ records int }

func (a *ackInput) Submit(_ context.Context, b *pipeline.Batch) error {
	a.records += b.Len()
	b.Ack(nil)
	return nil
}

// benchImport imports one object of the given content per iteration
// through the whole source path (listing, state, decompression, layout,
// batching, acknowledgement) and reports records/s.
func benchImport(b *testing.B, data []byte, records int) {
	b.Helper()
	mb := newMemBucket()
	s, err := New(config.SourceCommon{Name: "bench", Tenant: "default", Format: "auto"},
		Import{PollInterval: config.Duration(time.Second), Layout: LayoutAuto, MaxLineBytes: DefaultMaxLineBytes, MaxAttempts: 1},
		mb, config.SourceEnv{DataDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	s.state = map[string]*entry{}
	in := &ackInput{}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key := fmt.Sprintf("obj-%d", i)
		o := Object{Key: key, Size: int64(len(data)), ETag: "e", Modified: time.Unix(0, 0)}
		mb.objs[key] = memObject{data: data, mod: o.Modified, etag: "e"}
		s.importObject(ctx, in, o)
		delete(mb.objs, key)
	}
	b.StopTimer()
	if in.records != records*b.N {
		b.Fatalf("%d records, want %d", in.records, records*b.N)
	}
	b.ReportMetric(float64(in.records)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkImportLinesGzip(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "<134>1 2024-03-01T10:11:%02dZ web-%d nginx %d - - GET /index.html?id=%d 200 5123 \"Mozilla/5.0\"\n", i%60, i%9, 1000+i, i)
	}
	benchImport(b, gz(b, buf.Bytes()), 10000)
}

func BenchmarkImportCloudTrail(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := 0; i < 2000; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:s%d","arn":"arn:aws:sts::123456789012:assumed-role/Admin/s%d","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/Admin","accountId":"123456789012","userName":"Admin"},"webIdFederationData":{},"attributes":{"creationDate":"2024-03-01T09:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-03-01T10:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.%d","userAgent":"aws-sdk-go-v2/1.30","requestParameters":{"bucketName":"data","key":"k/%d","Host":"data.s3.eu-west-1.amazonaws.com"},"responseElements":null,"requestID":"R%d","eventID":"E%d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::data/k/%d"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"data.s3.eu-west-1.amazonaws.com"}}`,
			i, i, i/60%60, i%60, i%250, i, i, i, i)
	}
	buf.WriteString(`]}`)
	benchImport(b, gz(b, buf.Bytes()), 2000)
}

func BenchmarkImportVPCFlow(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "2 123456789012 eni-0a%05d 10.0.%d.%d 172.16.%d.%d %d 443 6 %d %d 1700000000 1700000060 ACCEPT OK\n",
			i%300, i/256%256, i%256, i%16, i%200, 1024+i%60000, 1+i%90, 60+i*7)
	}
	benchImport(b, gz(b, buf.Bytes()), 10000)
}
