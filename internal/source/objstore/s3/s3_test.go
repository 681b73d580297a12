package s3

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/objstore"
	"github.com/vigilsiem/vigil/internal/source/objstore/objstoretest"
)

// fakeS3 starts gofakes3 on a loopback port and returns its endpoint.
func fakeS3(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

func testConfig(endpoint, bucket, prefix string) Config {
	return Config{SourceCommon: config.SourceCommon{Name: "s3imp", Tenant: "default", Format: "auto"},
		Bucket: bucket, Prefix: prefix, Endpoint: endpoint, PathStyle: true, Region: "eu-west-1",
		AccessKeyID: "AKIAVIGILTEST", SecretAccessKey: "secret",
		Import: objstore.Import{PollInterval: config.Duration(20 * time.Millisecond),
			FullScanInterval: config.Duration(200 * time.Millisecond)}}
}

func client(t *testing.T, c Config) *awss3.Client {
	t.Helper()
	cl, err := NewClient(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestExactlyOnce(t *testing.T) {
	endpoint := fakeS3(t)
	c := testConfig(endpoint, "logs", "AWSLogs/")
	cl := client(t, c)
	if _, err := cl.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	// An object outside the prefix is never imported.
	put(t, cl, "logs", "other/x.log", []byte("not mine\n"))
	objstoretest.ExactlyOnce(t, objstoretest.Harness{
		Name: "s3imp", Tenant: "default", Bucket: "logs", KeyPrefix: "AWSLogs/",
		Put: func(t *testing.T, key string, data []byte) { put(t, cl, "logs", key, data) },
		NewSource: func(t *testing.T, env config.SourceEnv) *objstore.Source {
			s, err := New(c, env)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func put(t *testing.T, cl *awss3.Client, bucket, key string, data []byte) {
	t.Helper()
	_, err := cl.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// TestListStartAfter checks the incremental listing and that placeholder
// keys are left out.
func TestListStartAfter(t *testing.T) {
	c := testConfig(fakeS3(t), "bkt", "p/")
	cl := client(t, c)
	if _, err := cl.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"p/", "p/a", "p/b", "p/c", "q/a"} {
		put(t, cl, "bkt", k, nil)
	}
	bk := &Bucket{Client: cl, Bucket: "bkt", Prefix: "p/"}
	list := func(after string) string {
		var keys []string
		if err := bk.List(context.Background(), after, func(o objstore.Object) error {
			if o.ETag == "" || o.Modified.IsZero() {
				t.Errorf("object %s without ETag or time", o.Key)
			}
			keys = append(keys, o.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(keys, ",")
	}
	if got := list(""); got != "p/a,p/b,p/c" {
		t.Errorf("full listing %q", got)
	}
	if got := list("p/a"); got != "p/b,p/c" {
		t.Errorf("listing after p/a: %q", got)
	}
}

// TestEnvironmentCredentials runs without credentials in the
// configuration: the SDK's chain finds them in the environment.
func TestEnvironmentCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	c := testConfig(fakeS3(t), "envb", "")
	c.AccessKeyID, c.SecretAccessKey = "", ""
	cl := client(t, c)
	creds, err := cl.Options().Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIAENV" {
		t.Fatalf("credentials %+v, %v", creds, err)
	}
	if _, err := cl.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String("envb")}); err != nil {
		t.Fatal(err)
	}
}

func TestConfig(t *testing.T) {
	f := func(name string, c Config, wantErr string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			c.Name = "x"
			err := c.Validate()
			if wantErr == "" && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
				t.Fatalf("Validate: %v, want an error containing %q", err, wantErr)
			}
		})
	}
	f("minimal", Config{Bucket: "b"}, "")
	f("no bucket", Config{}, "bucket is required")
	f("bad endpoint", Config{Bucket: "b", Endpoint: "127.0.0.1:9000"}, "endpoint")
	f("half credentials", Config{Bucket: "b", AccessKeyID: "a"}, "go together")
	f("token alone", Config{Bucket: "b", SessionToken: "t"}, "session_token")
	f("bad layout", Config{Bucket: "b", Import: objstore.Import{Layout: "csv"}}, "layout")
	c := Config{Bucket: "b"}
	c.Name = "x"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PollInterval.D() != objstore.DefaultPollInterval || c.FullScanInterval.D() != objstore.DefaultFullScanInterval {
		t.Fatalf("defaults not filled: %+v", c.Import)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := config.Parse([]byte(`
sources:
  - name: trail
    type: import_s3
    bucket: my-trail
    prefix: AWSLogs/123456789012/CloudTrail/
    endpoint: http://127.0.0.1:9000
    path_style: true
    layout: cloudtrail
    full_scan_interval: 1m
    ignore_older_than: 30d
`))
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := c.Sources[0].SourceConfig.(*Config)
	if !ok || sc.Bucket != "my-trail" || !sc.PathStyle || sc.Layout != objstore.LayoutCloudTrail ||
		sc.FullScanInterval.D() != time.Minute || sc.IgnoreOlderThan.D() != 30*24*time.Hour {
		t.Fatalf("decoded %+v", c.Sources[0].SourceConfig)
	}
	if _, err := config.Parse([]byte("sources: [{name: x, type: import_s3, bucket: b, colour: red}]")); err == nil {
		t.Fatal("an unknown key was accepted")
	}
}
