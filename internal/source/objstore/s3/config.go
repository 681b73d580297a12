package s3

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// Type is the source type in vigil.yaml.
const Type = "import_s3"

// DefaultRegion is used when neither the configuration nor the
// environment names one; S3-compatible stores mostly ignore it.
const DefaultRegion = "us-east-1"

// Config is an "import_s3" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	objstore.Import     `yaml:",inline"`
	// Bucket is the bucket name. Required.
	Bucket string `yaml:"bucket"`
	// Prefix limits the import to keys starting with it
	// ("AWSLogs/123456789012/CloudTrail/").
	Prefix string `yaml:"prefix"`
	// Region of the bucket. Default: AWS_REGION, the shared config, or
	// us-east-1.
	Region string `yaml:"region"`
	// Endpoint overrides the S3 endpoint, for S3-compatible stores
	// ("http://127.0.0.1:9000").
	Endpoint string `yaml:"endpoint"`
	// PathStyle addresses the bucket in the path (endpoint/bucket/key)
	// rather than the host name, as most S3-compatible stores need.
	PathStyle bool `yaml:"path_style"`
	// AccessKeyID, SecretAccessKey and SessionToken are static
	// credentials; without them the SDK's default chain is used.
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
	SessionToken    string `yaml:"session_token"`
}

func init() {
	config.RegisterSource(Type, func() config.SourceConfig { return &Config{} })
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if c.Bucket == "" {
		return errors.New("bucket is required")
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("endpoint %q: want http(s)://host[:port]", c.Endpoint)
		}
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return errors.New("access_key_id and secret_access_key go together")
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		return errors.New("session_token needs access_key_id and secret_access_key")
	}
	return c.Import.Validate(objstore.Defaults{PollInterval: objstore.DefaultPollInterval,
		FullScanInterval: objstore.DefaultFullScanInterval})
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	return New(*c, env)
}

// New returns an S3 import source.
func New(c Config, env config.SourceEnv) (*objstore.Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("import_s3 source %s: %w", c.Name, err)
	}
	client, err := NewClient(context.Background(), c)
	if err != nil {
		return nil, fmt.Errorf("import_s3 source %s: %w", c.Name, err)
	}
	return objstore.New(c.SourceCommon, c.Import, &Bucket{Client: client, Bucket: c.Bucket, Prefix: c.Prefix}, env)
}

// NewClient builds the S3 client the configuration describes.
func NewClient(ctx context.Context, c Config) (*awss3.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	if c.AccessKeyID != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.PathStyle
	}), nil
}
