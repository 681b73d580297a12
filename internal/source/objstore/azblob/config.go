package azblob

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	sdkblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// Type is the source type in vigil.yaml.
const Type = "import_azblob"

// EnvConnectionString is read when the configuration has no credentials.
const EnvConnectionString = "AZURE_STORAGE_CONNECTION_STRING"

// Config is an "import_azblob" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	objstore.Import     `yaml:",inline"`
	// Container is the container name. Required.
	Container string `yaml:"container"`
	// Prefix limits the import to blobs whose names start with it.
	Prefix string `yaml:"prefix"`
	// AccountURL is the blob service endpoint
	// (https://<account>.blob.core.windows.net, or an emulator's
	// http://127.0.0.1:10000/devstoreaccount1). Default: from
	// account_name.
	AccountURL string `yaml:"account_url"`
	// ConnectionString holds the endpoint and the credentials.
	ConnectionString string `yaml:"connection_string"`
	// AccountName and AccountKey are a shared key credential.
	AccountName string `yaml:"account_name"`
	AccountKey  string `yaml:"account_key"`
	// SASToken is a shared access signature (the query string, with or
	// without its leading '?').
	SASToken string `yaml:"sas_token"`
}

func init() {
	config.RegisterSource(Type, func() config.SourceConfig { return &Config{} })
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if c.Container == "" {
		return errors.New("container is required")
	}
	n := 0
	for _, set := range []bool{c.ConnectionString != "", c.AccountKey != "", c.SASToken != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("connection_string, account_key and sas_token exclude each other")
	}
	if c.AccountKey != "" && c.AccountName == "" {
		return errors.New("account_key needs account_name")
	}
	if c.AccountURL == "" && c.AccountName != "" {
		c.AccountURL = "https://" + c.AccountName + ".blob.core.windows.net"
	}
	if (c.AccountKey != "" || c.SASToken != "") && c.AccountURL == "" {
		return errors.New("account_key and sas_token need account_url or account_name")
	}
	if c.AccountURL != "" {
		u, err := url.Parse(c.AccountURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("account_url %q: want http(s)://host[/account]", c.AccountURL)
		}
	}
	return c.Import.Validate(objstore.Defaults{PollInterval: objstore.DefaultPollInterval})
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	return New(*c, env)
}

// New returns an Azure Blob import source.
func New(c Config, env config.SourceEnv) (*objstore.Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("import_azblob source %s: %w", c.Name, err)
	}
	cl, err := NewClient(c)
	if err != nil {
		return nil, fmt.Errorf("import_azblob source %s: %w", c.Name, err)
	}
	return objstore.New(c.SourceCommon, c.Import, &Bucket{Client: cl, Container: c.Container, Prefix: c.Prefix}, env)
}

// NewClient builds the container client the configuration describes.
func NewClient(c Config) (*container.Client, error) {
	containerURL := strings.TrimRight(c.AccountURL, "/") + "/" + url.PathEscape(c.Container)
	switch {
	case c.ConnectionString != "":
		return container.NewClientFromConnectionString(c.ConnectionString, c.Container, nil)
	case c.AccountKey != "":
		cred, err := sdkblob.NewSharedKeyCredential(c.AccountName, c.AccountKey)
		if err != nil {
			return nil, fmt.Errorf("account key: %w", err)
		}
		return container.NewClientWithSharedKeyCredential(containerURL, cred, nil)
	case c.SASToken != "":
		return container.NewClientWithNoCredential(containerURL+"?"+strings.TrimPrefix(c.SASToken, "?"), nil)
	}
	if cs := os.Getenv(EnvConnectionString); cs != "" {
		return container.NewClientFromConnectionString(cs, c.Container, nil)
	}
	return nil, fmt.Errorf("no credentials: set connection_string, account_key or sas_token, or %s", EnvConnectionString)
}
