// Package http owns the HTTP output: events POSTed to another SIEM or
// collector, as NDJSON (one flat JSON object per line, what Vigil's own
// POST /api/v1/ingest and most collectors take) or as Splunk HTTP Event
// Collector events (/services/collector/event, "Authorization: Splunk
// TOKEN"), optionally gzip-compressed.
//
// Every event carries its stable event.id (inside the NDJSON object, or
// inside the HEC event object), so a receiver that keys on it drops a
// replayed duplicate.
//
// A batch is delivered when the receiver answers 2xx. 400, 413 and 422 say
// the receiver refuses the content: the runner splits the batch to find
// and drop (and count) only the events refused on their own. Every other
// answer (401 and 403 included: a credential can be fixed) and every
// network error is retried with backoff.
package http

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
)

// Formats of the request body.
const (
	FormatNDJSON = "ndjson"
	FormatHEC    = "hec"
)

// DefaultTimeout bounds one request: a receiver that needs longer to make
// a 1 MiB batch durable is in trouble, and the batch is retried.
const DefaultTimeout = 30 * time.Second

// Config is an "http" output in vigil.yaml.
type Config struct {
	config.OutputCommon `yaml:",inline"`
	// URL receives the POSTs (for HEC, the /services/collector/event URL).
	URL string `yaml:"url"`
	// Format is ndjson (default) or hec.
	Format string `yaml:"format"`
	// Token authenticates: "Authorization: Bearer TOKEN" for ndjson,
	// "Authorization: Splunk TOKEN" for hec. TokenFile holds it instead
	// (its first line).
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// Headers are added to every request.
	Headers map[string]string `yaml:"headers"`
	// Gzip compresses request bodies (Content-Encoding: gzip).
	Gzip bool `yaml:"gzip"`
	// TLS configures https:// URLs.
	TLS config.ClientTLS `yaml:"tls"`
	// Timeout bounds one request. Default: 30s.
	Timeout config.Duration `yaml:"timeout"`
	// Sourcetype and Index fill the HEC metadata (default sourcetype:
	// vigil; no index: the token's default).
	Sourcetype string `yaml:"sourcetype"`
	Index      string `yaml:"index"`
}

func init() {
	config.RegisterOutput("http", func() config.OutputConfig { return &Config{} })
}

// CommonOutput implements config.OutputConfig.
func (c *Config) CommonOutput() *config.OutputCommon { return &c.OutputCommon }

// Validate implements config.OutputConfig.
func (c *Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("http: url %q: want an http:// or https:// URL", c.URL)
	}
	switch c.Format {
	case "":
		c.Format = FormatNDJSON
	case FormatNDJSON, FormatHEC:
	default:
		return fmt.Errorf("http: format %q: want ndjson or hec", c.Format)
	}
	if c.Token != "" && c.TokenFile != "" {
		return errors.New("http: set token or token_file, not both")
	}
	if c.Format == FormatHEC && c.Token == "" && c.TokenFile == "" {
		return errors.New("http: format hec needs a token")
	}
	if c.Sourcetype == "" {
		c.Sourcetype = "vigil"
	}
	if c.Timeout == 0 {
		c.Timeout = config.Duration(DefaultTimeout)
	}
	if c.Timeout < 0 {
		return errors.New("http: timeout must be positive")
	}
	for k := range c.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fmt.Errorf("http: header name %q", k)
		}
	}
	return c.TLS.Validate()
}

// NewOutput implements forward.Builder.
func (c *Config) NewOutput(env forward.BuildEnv) (forward.Output, error) { return New(*c, env) }

// Output POSTs batches.
type Output struct {
	cfg    Config
	client *http.Client
	auth   string
	body   []byte
	zbuf   bytes.Buffer
	zw     *gzip.Writer
}

// New returns an HTTP output.
func New(cfg Config, env forward.BuildEnv) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("http output %s: %w", env.Name, err)
	}
	tr, err := Transport(cfg.TLS)
	if err != nil {
		return nil, fmt.Errorf("http output %s: %w", env.Name, err)
	}
	o := &Output{cfg: cfg, client: &http.Client{Transport: tr, Timeout: cfg.Timeout.D()}}
	token := cfg.Token
	if cfg.TokenFile != "" {
		b, err := os.ReadFile(cfg.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("http output %s: read token file: %w", env.Name, err)
		}
		token, _, _ = strings.Cut(string(b), "\n")
		token = strings.TrimSpace(token)
	}
	if token != "" {
		scheme := "Bearer "
		if cfg.Format == FormatHEC {
			scheme = "Splunk "
		}
		o.auth = scheme + token
	}
	return o, nil
}

// Transport returns the HTTP transport of the HTTP output and of the
// webhook response (internal/response): Go's default transport (proxy from
// the environment, keep-alives, HTTP/2) with tls as its client TLS
// settings.
func Transport(tls config.ClientTLS) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tc, err := tls.ClientConfig()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		tr.TLSClientConfig = tc
	}
	return tr, nil
}

// Send implements forward.Output.
func (o *Output) Send(ctx context.Context, b *forward.Batch) error {
	o.body = o.body[:0]
	for _, e := range b.Events {
		if o.cfg.Format == FormatHEC {
			o.body = o.appendHEC(o.body, e)
		} else {
			o.body = e.AppendJSON(o.body)
		}
		o.body = append(o.body, '\n')
	}
	body := o.body
	if o.cfg.Gzip {
		o.zbuf.Reset()
		if o.zw == nil {
			o.zw = gzip.NewWriter(&o.zbuf)
		} else {
			o.zw.Reset(&o.zbuf)
		}
		if _, err := o.zw.Write(body); err != nil {
			return fmt.Errorf("compress body: %w", err)
		}
		if err := o.zw.Close(); err != nil {
			return fmt.Errorf("compress body: %w", err)
		}
		body = o.zbuf.Bytes()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if o.cfg.Format == FormatHEC {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-ndjson")
	}
	if o.cfg.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if o.auth != "" {
		req.Header.Set("Authorization", o.auth)
	}
	for k, v := range o.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w", o.cfg.URL, err)
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("post to %s: %s: %s", o.cfg.URL, resp.Status, bytes.TrimSpace(msg))
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return forward.Permanent(err)
	}
	return err
}

// appendHEC appends one HEC event: {"time":…,"host":…,"source":…,
// "sourcetype":…,"index":…,"event":{flat event}}.
func (o *Output) appendHEC(dst []byte, e *event.Event) []byte {
	dst = append(dst, `{"time":`...)
	ts := e.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	dst = strconv.AppendFloat(dst, float64(ts.UnixMicro())/1e6, 'f', 6, 64)
	if h := e.GetString("host.name"); h != "" {
		dst = append(dst, `,"host":`...)
		dst = event.AppendJSONString(dst, h)
	}
	if e.Source != "" {
		dst = append(dst, `,"source":`...)
		dst = event.AppendJSONString(dst, e.Source)
	}
	dst = append(dst, `,"sourcetype":`...)
	dst = event.AppendJSONString(dst, o.cfg.Sourcetype)
	if o.cfg.Index != "" {
		dst = append(dst, `,"index":`...)
		dst = event.AppendJSONString(dst, o.cfg.Index)
	}
	dst = append(dst, `,"event":`...)
	dst = e.AppendJSON(dst)
	return append(dst, '}')
}

// Close implements forward.Output.
func (o *Output) Close() error {
	o.client.CloseIdleConnections()
	return nil
}
