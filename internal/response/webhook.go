package response

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	fwhttp "github.com/vigilsiem/vigil/internal/forward/http"
)

// Webhook headers (docs/responses.md tells receivers how to check them).
const (
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, keyed by the
	// configured secret, of the timestamp header's value, a ".", and the
	// body: signing the timestamp with the body lets a receiver refuse a
	// replayed request whose timestamp is old.
	HeaderSignature = "X-Vigil-Signature"
	// HeaderTimestamp is the Unix time, in seconds, of the attempt.
	HeaderTimestamp = "X-Vigil-Timestamp"
	// HeaderDelivery is the delivery id: the same for every attempt.
	HeaderDelivery = "X-Vigil-Delivery"
	// HeaderKind is alert or incident.
	HeaderKind = "X-Vigil-Event"
)

// Sign returns the signature header value of a body sent at timestamp
// (Unix seconds, as in the timestamp header).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header against a body, its timestamp header
// and the shared secret, and that the timestamp is within tolerance of now:
// what a receiver does (Go receivers may call it).
func Verify(secret []byte, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("verify webhook: timestamp %q is not Unix seconds", timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("verify webhook: timestamp %s is %s away from now (tolerance %s)", timestamp, d.Round(time.Second), tolerance)
	}
	if !hmac.Equal([]byte(signature), []byte(Sign(secret, timestamp, body))) {
		return errors.New("verify webhook: signature does not match")
	}
	return nil
}

// maxWebhookReply bounds what is read of a reply: its start goes into the
// record, the rest is drained so the connection can be reused.
const (
	maxWebhookReply = 64 << 10
	replyInDetail   = 512
)

type webhook struct {
	url     string
	where   string // scheme://host, for messages (the path may hold a token)
	secret  []byte
	headers map[string]string
	client  *http.Client
	now     func() time.Time
}

func newWebhook(c *config.WebhookResponse) (*webhook, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, errors.New("webhook: url does not parse")
	}
	w := &webhook{url: c.URL, where: u.Scheme + "://" + u.Host, secret: []byte(c.Secret), headers: map[string]string{}, now: time.Now}
	if c.SecretFile != "" {
		b, err := os.ReadFile(c.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("webhook: read secret_file: %w", err)
		}
		w.secret = bytes.TrimSpace(b)
		if len(w.secret) == 0 {
			return nil, fmt.Errorf("webhook: secret_file %s is empty", c.SecretFile)
		}
	}
	for k, v := range c.Headers {
		w.headers[k] = string(v)
	}
	tr, err := fwhttp.Transport(c.TLS) // the HTTP output's
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	w.client = &http.Client{
		Transport: tr,
		// A redirect would turn the POST into a GET: take it as the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return w, nil
}

func (w *webhook) do(ctx context.Context, j *job) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(j.body))
	if err != nil {
		return result{err: fmt.Errorf("build request to %s: %w", w.where, unwrapURL(err))}
	}
	for k, v := range w.headers {
		req.Header.Set(k, v)
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vigil")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderDelivery, j.delivery)
	req.Header.Set(HeaderKind, j.kind)
	if len(w.secret) > 0 {
		req.Header.Set(HeaderSignature, Sign(w.secret, ts, j.body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return result{err: fmt.Errorf("POST %s: %w", w.where, unwrapURL(err)), retry: true}
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, maxWebhookReply))
	detail := "HTTP " + resp.Status
	if s := strings.TrimSpace(string(reply[:min(len(reply), replyInDetail)])); s != "" {
		detail += ": " + s
	}
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return result{detail: detail}
	case c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500:
		return result{err: fmt.Errorf("POST %s: %s", w.where, resp.Status), retry: true, after: retryAfter(resp.Header.Get("Retry-After"), w.now()), detail: detail}
	default:
		return result{err: fmt.Errorf("POST %s: %s", w.where, resp.Status), detail: detail}
	}
}

// unwrapURL drops the URL from a *url.Error: its path or query may hold a
// token (Slack-style webhook URLs are secrets).
func unwrapURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func (w *webhook) close() error {
	w.client.CloseIdleConnections()
	return nil
}
