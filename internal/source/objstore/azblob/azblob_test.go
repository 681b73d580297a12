package azblob

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/objstore"
	"github.com/vigilsiem/vigil/internal/source/objstore/objstoretest"
)

func testConfig(accountURL, cont, prefix string) Config {
	return Config{SourceCommon: config.SourceCommon{Name: "azimp", Tenant: "t1", Format: "auto"},
		Container: cont, Prefix: prefix, AccountURL: accountURL, AccountName: "devstoreaccount1", AccountKey: azuriteAccountKey,
		Import: objstore.Import{PollInterval: config.Duration(20 * time.Millisecond)}}
}

func newContainer(t *testing.T, c Config) *container.Client {
	t.Helper()
	cl, err := NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Create(context.Background(), nil); err != nil {
		t.Fatalf("create container: %v", err)
	}
	return cl
}

func put(t *testing.T, cl *container.Client, name string, data []byte) {
	t.Helper()
	if _, err := cl.NewBlockBlobClient(name).UploadBuffer(context.Background(), data, nil); err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
}

func TestExactlyOnce(t *testing.T) {
	url := startAzurite(t)
	c := testConfig(url, "logs", "insights-logs/")
	cl := newContainer(t, c)
	put(t, cl, "elsewhere/x.log", []byte("not mine\n"))
	objstoretest.ExactlyOnce(t, objstoretest.Harness{
		Name: "azimp", Tenant: "t1", Bucket: "logs", KeyPrefix: "insights-logs/",
		Put: func(t *testing.T, key string, data []byte) { put(t, cl, key, data) },
		NewSource: func(t *testing.T, env config.SourceEnv) *objstore.Source {
			s, err := New(c, env)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

// TestCredentials lists a container with each kind of credential.
func TestCredentials(t *testing.T) {
	url := startAzurite(t)
	base := testConfig(url, "creds", "")
	cl := newContainer(t, base)
	put(t, cl, "a.log", []byte("x\n"))
	connStr := "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + azuriteAccountKey + ";BlobEndpoint=" + url + ";"
	list := func(t *testing.T, c Config) {
		t.Helper()
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		cl, err := NewClient(c)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := (&Bucket{Client: cl, Container: c.Container}).List(context.Background(), "", func(o objstore.Object) error {
			if o.ETag == "" || o.Size != 2 || o.Modified.IsZero() {
				t.Errorf("object %+v", o)
			}
			keys = append(keys, o.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(keys, ",") != "a.log" {
			t.Fatalf("listed %v", keys)
		}
	}
	t.Run("account key", func(t *testing.T) { list(t, base) })
	t.Run("connection string", func(t *testing.T) {
		c := base
		c.AccountName, c.AccountKey, c.AccountURL = "", "", ""
		c.ConnectionString = connStr
		list(t, c)
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv(EnvConnectionString, connStr)
		c := base
		c.AccountName, c.AccountKey, c.AccountURL = "", "", ""
		list(t, c)
	})
	t.Run("no credentials", func(t *testing.T) {
		t.Setenv(EnvConnectionString, "")
		c := base
		c.AccountName, c.AccountKey = "", ""
		if _, err := NewClient(c); err == nil || !strings.Contains(err.Error(), "no credentials") {
			t.Fatalf("NewClient without credentials: %v", err)
		}
	})
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
	f("connection string", Config{Container: "c", ConnectionString: "x"}, "")
	f("key", Config{Container: "c", AccountName: "acct", AccountKey: "a2V5"}, "")
	f("sas", Config{Container: "c", AccountURL: "https://acct.blob.core.windows.net", SASToken: "?sv=1"}, "")
	f("no container", Config{}, "container is required")
	f("two credentials", Config{Container: "c", ConnectionString: "x", SASToken: "y"}, "exclude each other")
	f("key without name", Config{Container: "c", AccountKey: "k"}, "account_name")
	f("sas without url", Config{Container: "c", SASToken: "y"}, "account_url")
	f("bad url", Config{Container: "c", AccountURL: "acct.blob.core.windows.net"}, "account_url")
	c := Config{Container: "c", AccountName: "acct", AccountKey: "a2V5"}
	c.Name = "x"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.AccountURL != "https://acct.blob.core.windows.net" || c.FullScanInterval != 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := config.Parse([]byte(`
sources:
  - name: az
    type: import_azblob
    account_name: acct
    account_key: a2V5
    container: insights-logs
    settle: 70m
`))
	if err != nil {
		t.Fatal(err)
	}
	ac, ok := c.Sources[0].SourceConfig.(*Config)
	if !ok || ac.Container != "insights-logs" || ac.Settle.D() != 70*time.Minute || ac.AccountURL != "https://acct.blob.core.windows.net" {
		t.Fatalf("decoded %+v", c.Sources[0].SourceConfig)
	}
}
