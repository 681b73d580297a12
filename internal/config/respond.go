package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Incident grouping defaults (docs/incidents.md).
const (
	// DefaultIncidentWindow: an alert joins an incident when it comes
	// within an hour of the incident's alerts. An attack's stages (scan,
	// exploit, logon, lateral movement) usually follow within minutes; an
	// hour keeps a slow operator's steps together without gluing a
	// morning's and an afternoon's unrelated noise.
	DefaultIncidentWindow = Duration(time.Hour)
	// DefaultIncidentMaxSpan: an incident takes no alert that would make it
	// span more than a day. A sliding window alone lets a chatty host grow
	// one incident for ever; after a day a new one opens.
	DefaultIncidentMaxSpan = Duration(24 * time.Hour)
)

// Entity kinds that link alerts into incidents.
const (
	LinkHosts = "hosts"
	LinkUsers = "users"
	// LinkIPs links source and destination addresses alike: an address
	// that scanned the network and later received a connection is one
	// entity.
	LinkIPs = "ips"
)

// DefaultIncidentIgnore are entity values that never link alerts: the
// built-in Windows accounts, loopback and unspecified addresses, and the
// placeholders logs write for "none". SYSTEM appears on alerts of every
// Windows host; linking by it would make one incident of a whole fleet.
var DefaultIncidentIgnore = []string{
	"-", "n/a", "unknown", "localhost",
	"system", "local service", "network service", "anonymous logon", "nt authority\\system",
	"127.0.0.1", "::1", "0.0.0.0", "::",
}

// Incidents configures the grouping of alerts into incidents.
type Incidents struct {
	// Window: an alert joins an open incident that shares an entity with
	// it when the alert's time comes within Window of the incident's
	// first-to-last time range. Default: 1h.
	Window Duration `yaml:"window"`
	// MaxSpan bounds how long one incident grows: an alert that would make
	// it span more opens a new incident. Default: 24h.
	MaxSpan Duration `yaml:"max_span"`
	// LinkBy are the entity kinds that link alerts: hosts, users, ips.
	// Default: all three.
	LinkBy []string `yaml:"link_by"`
	// Ignore are entity values (compared without case) that never link.
	// Default: DefaultIncidentIgnore; an empty list ignores nothing.
	Ignore []string `yaml:"ignore"`
}

// Response defaults, with the reasoning behind them.
const (
	// DefaultResponseQueue bounds the jobs waiting for one response: a
	// burst of a thousand alerts is queued; beyond it jobs are dropped
	// (counted and recorded) rather than slowing detection.
	DefaultResponseQueue = 1000
	// DefaultResponseWorkers run jobs of one response at once: two keep a
	// slow receiver from holding every job behind one retry.
	DefaultResponseWorkers = 2
	// DefaultResponseTimeout bounds one attempt (an HTTP request, a
	// connection and write, a produce). A program gets
	// DefaultProgramTimeout.
	DefaultResponseTimeout = Duration(10 * time.Second)
	// DefaultProgramTimeout: a response script (block an address, open a
	// ticket) that has not finished in 30 s is stuck.
	DefaultProgramTimeout = Duration(30 * time.Second)
	// DefaultResponseAttempts: five attempts with backoff from 1 s doubling
	// to 30 s cover about a minute of a receiver's restart. A program runs
	// once unless retry.attempts says otherwise: running an action twice
	// may not be harmless.
	DefaultResponseAttempts = 5
	DefaultProgramAttempts  = 1
	DefaultResponseInitial  = Duration(time.Second)
	DefaultResponseMax      = Duration(30 * time.Second)
	// DefaultProgramOutput bounds what is kept of a program's output
	// (stdout and stderr together) in the response record.
	DefaultProgramOutput = ByteSize(8 << 10)
	// DefaultSyslogMessage: rsyslog's and syslog-ng's default maximum
	// message size is 8 KiB; a longer alert is shortened to fit.
	DefaultSyslogMessage = ByteSize(8 << 10)
	// DefaultSyslogSDID names the structured-data element of Vigil's
	// syslog messages: 32473 is the private enterprise number RFC 5612
	// reserves for examples; set your own.
	DefaultSyslogSDID = "vigil@32473"
)

// Response types.
const (
	ResponseWebhook = "webhook"
	ResponseProgram = "program"
	ResponseSyslog  = "syslog"
	ResponseKafka   = "kafka"
)

// Response triggers.
const (
	TriggerAlert    = "alert"
	TriggerIncident = "incident"
)

// Secret is a configured secret: it reads from YAML as a string, and never
// prints, marshals or logs as one.
type Secret string

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<redacted>"
}

// GoString redacts the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalYAML redacts the secret.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalText redacts the secret (JSON and other text encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue redacts the secret from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Response is one entry of the responses list: an action run when an alert
// (or an incident) matches.
type Response struct {
	// Name identifies the response in records, metrics and the API.
	Name string `yaml:"name"`
	// Type is webhook, program, syslog or kafka; the settings of that type
	// go under the key of the same name.
	Type string `yaml:"type"`
	// Trigger is alert (default: each new alert that matches) or incident
	// (an incident when it opens and each time its severity rises).
	Trigger string `yaml:"trigger"`
	// Match says which alerts or incidents trigger the response; every
	// condition set must hold, an empty match takes everything.
	Match ResponseMatch `yaml:"match"`
	// Queue bounds the jobs waiting for this response. Default: 1000.
	Queue int `yaml:"queue"`
	// Workers run jobs at once. Default: 2.
	Workers int `yaml:"workers"`
	// Timeout bounds one attempt. Default: 10s (program: 30s).
	Timeout Duration `yaml:"timeout"`
	// Retry says how failed attempts are retried.
	Retry ResponseRetry `yaml:"retry"`

	Webhook *WebhookResponse `yaml:"webhook"`
	Program *ProgramResponse `yaml:"program"`
	Syslog  *SyslogResponse  `yaml:"syslog"`
	Kafka   *KafkaResponse   `yaml:"kafka"`
}

// ResponseMatch selects alerts (or incidents). Rules and Tags are patterns
// compared without case, where * is any run of characters and ? one.
type ResponseMatch struct {
	// Rules match the rule id or title (of any alert of an incident).
	Rules []string `yaml:"rules"`
	// MinLevel is the lowest level (an incident's severity) that matches:
	// informational, low, medium, high or critical.
	MinLevel string `yaml:"min_level"`
	// Tags: at least one tag must match one pattern (attack.t1110*).
	Tags []string `yaml:"tags"`
	// Tenants: the alert's tenant must be one of them.
	Tenants []string `yaml:"tenants"`
}

// ResponseRetry is exponential backoff with jitter between attempts.
type ResponseRetry struct {
	// Attempts in all, the first included. Default: 5 (program: 1).
	Attempts int `yaml:"attempts"`
	// Initial wait, doubled after each attempt up to Max. Defaults: 1s, 30s.
	Initial Duration `yaml:"initial"`
	Max     Duration `yaml:"max"`
	// Jitter is the random fraction (0 to 1) added to or taken from each
	// wait. Default: 0.2.
	Jitter *float64 `yaml:"jitter"`
}

// WebhookResponse POSTs the alert as JSON.
type WebhookResponse struct {
	// URL is http or https.
	URL string `yaml:"url"`
	// Secret (or the content of SecretFile) keys the HMAC-SHA256 signature
	// header; without one requests are not signed.
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
	// Headers are added to every request (Authorization...). Their values
	// are never logged.
	Headers map[string]Secret `yaml:"headers"`
	// TLS verifies the server (on by default for https; ca_file adds CAs).
	TLS ClientTLS `yaml:"tls"`
}

// ProgramResponse runs a program with the alert as JSON on its standard
// input. No shell is involved: Command is the argument vector.
type ProgramResponse struct {
	// Command is the program and its arguments; the first is looked up in
	// PATH when it has no slash.
	Command []string `yaml:"command"`
	// Dir is the working directory. Default: Vigil's.
	Dir string `yaml:"dir"`
	// Env adds variables to the program's environment (which otherwise
	// holds only PATH and the VIGIL_* variables).
	Env map[string]Secret `yaml:"env"`
	// MaxOutput bounds the output kept in the record. Default: 8KiB.
	MaxOutput ByteSize `yaml:"max_output"`
}

// SyslogResponse sends an RFC 5424 message to a syslog server.
type SyslogResponse struct {
	// Network is udp, tcp or tls. Default: udp.
	Network string `yaml:"network"`
	// Address is host:port.
	Address string `yaml:"address"`
	// Framing on tcp and tls: octet-counting (RFC 6587 §3.4.1, the RFC 5425
	// framing; default) or lf (a newline after each message).
	Framing string `yaml:"framing"`
	// Facility is a name (auth, authpriv, daemon, local0...) or number.
	// Default: auth (security/authorization messages).
	Facility string `yaml:"facility"`
	// AppName and Hostname of the header. Defaults: vigil, the machine's name.
	AppName  string `yaml:"app_name"`
	Hostname string `yaml:"hostname"`
	// SDID names the structured-data element. Default: vigil@32473.
	SDID string `yaml:"sd_id"`
	// MaxMessage bounds one message. Default: 8KiB.
	MaxMessage ByteSize `yaml:"max_message"`
	// TLS settings when network is tls.
	TLS ClientTLS `yaml:"tls"`
}

// KafkaResponse publishes the alert as JSON to a Kafka topic.
type KafkaResponse struct {
	Brokers []string `yaml:"brokers"`
	Topic   string   `yaml:"topic"`
	// ClientID default: vigil.
	ClientID string    `yaml:"client_id"`
	TLS      ClientTLS `yaml:"tls"`
	SASL     KafkaSASL `yaml:"sasl"`
}

// KafkaSASL authenticates to Kafka.
type KafkaSASL struct {
	// Mechanism is plain, scram-sha-256 or scram-sha-512; empty: none.
	Mechanism    string `yaml:"mechanism"`
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
}

// syslogFacilities are the RFC 5424 facility names.
var syslogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14,
	"solaris-cron": 15, "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20,
	"local5": 21, "local6": 22, "local7": 23,
}

// SyslogFacility returns the number of a facility name or number.
func SyslogFacility(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := syslogFacilities[s]; ok {
		return n, nil
	}
	if n, err := strconv.Atoi(s); err == nil && strconv.Itoa(n) == s && n >= 0 && n <= 23 {
		return n, nil
	}
	return 0, fmt.Errorf("syslog facility %q: want a name (auth, local0...) or 0 to 23", s)
}

var responseLevels = []string{"informational", "low", "medium", "high", "critical"}

// ValidateResponses checks the incidents and responses sections and fills
// their defaults.
func (c *Config) ValidateResponses() error {
	if err := c.Incidents.validate(); err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	names := map[string]bool{}
	for i := range c.Responses {
		r := &c.Responses[i]
		if !nameRE.MatchString(r.Name) {
			return fmt.Errorf("responses[%d]: name %q: want 1-64 letters, digits, '_', '.', '-'", i, r.Name)
		}
		if names[r.Name] {
			return fmt.Errorf("response %s: name used twice", r.Name)
		}
		names[r.Name] = true
		if err := r.validate(); err != nil {
			return fmt.Errorf("response %s: %w", r.Name, err)
		}
	}
	return nil
}

func (in *Incidents) validate() error {
	if in.Window == 0 {
		in.Window = DefaultIncidentWindow
	}
	if in.MaxSpan == 0 {
		in.MaxSpan = DefaultIncidentMaxSpan
	}
	if in.Window < 0 || in.MaxSpan < 0 {
		return errors.New("window and max_span must not be negative")
	}
	if in.LinkBy == nil {
		in.LinkBy = []string{LinkHosts, LinkUsers, LinkIPs}
	}
	for _, k := range in.LinkBy {
		switch k {
		case LinkHosts, LinkUsers, LinkIPs:
		default:
			return fmt.Errorf("link_by %q: want hosts, users or ips", k)
		}
	}
	if in.Ignore == nil {
		in.Ignore = append([]string(nil), DefaultIncidentIgnore...)
	}
	return nil
}

func (r *Response) validate() error {
	settings := map[string]bool{
		ResponseWebhook: r.Webhook != nil, ResponseProgram: r.Program != nil,
		ResponseSyslog: r.Syslog != nil, ResponseKafka: r.Kafka != nil,
	}
	if _, ok := settings[r.Type]; !ok {
		return fmt.Errorf("type %q: want webhook, program, syslog or kafka", r.Type)
	}
	if !settings[r.Type] {
		return fmt.Errorf("type %s needs its settings under %q", r.Type, r.Type)
	}
	for t, set := range settings {
		if set && t != r.Type {
			return fmt.Errorf("settings for %s given to a response of type %s", t, r.Type)
		}
	}
	switch r.Trigger {
	case "":
		r.Trigger = TriggerAlert
	case TriggerAlert, TriggerIncident:
	default:
		return fmt.Errorf("trigger %q: want alert or incident", r.Trigger)
	}
	if err := r.Match.validate(); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	if r.Queue == 0 {
		r.Queue = DefaultResponseQueue
	}
	if r.Workers == 0 {
		r.Workers = DefaultResponseWorkers
	}
	if r.Queue < 0 || r.Workers < 0 {
		return errors.New("queue and workers must not be negative")
	}
	if r.Timeout == 0 {
		r.Timeout = DefaultResponseTimeout
		if r.Type == ResponseProgram {
			r.Timeout = DefaultProgramTimeout
		}
	}
	if r.Timeout < 0 {
		return errors.New("timeout must not be negative")
	}
	if err := r.Retry.validate(r.Type); err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	switch r.Type {
	case ResponseWebhook:
		return r.Webhook.validate()
	case ResponseProgram:
		return r.Program.validate()
	case ResponseSyslog:
		return r.Syslog.validate()
	default:
		return r.Kafka.validate()
	}
}

func (m *ResponseMatch) validate() error {
	if m.MinLevel != "" {
		ok := false
		for _, l := range responseLevels {
			ok = ok || l == m.MinLevel
		}
		if !ok {
			return fmt.Errorf("min_level %q: want informational, low, medium, high or critical", m.MinLevel)
		}
	}
	for name, list := range map[string][]string{"rules": m.Rules, "tags": m.Tags, "tenants": m.Tenants} {
		for _, p := range list {
			if strings.TrimSpace(p) == "" {
				return fmt.Errorf("%s: empty entry", name)
			}
		}
	}
	return nil
}

func (r *ResponseRetry) validate(typ string) error {
	if r.Attempts == 0 {
		r.Attempts = DefaultResponseAttempts
		if typ == ResponseProgram {
			r.Attempts = DefaultProgramAttempts
		}
	}
	if r.Initial == 0 {
		r.Initial = DefaultResponseInitial
	}
	if r.Max == 0 {
		r.Max = DefaultResponseMax
	}
	if r.Jitter == nil {
		j := DefaultRetryJitter
		r.Jitter = &j
	}
	if r.Attempts < 1 || r.Attempts > 100 {
		return fmt.Errorf("attempts %d: want 1 to 100", r.Attempts)
	}
	if r.Initial < 0 || r.Max < r.Initial || *r.Jitter < 0 || *r.Jitter > 1 {
		return errors.New("want 0 <= initial <= max and jitter in [0, 1]")
	}
	return nil
}

func (w *WebhookResponse) validate() error {
	u, err := url.Parse(w.URL)
	if err != nil {
		// url.Parse errors quote the URL, which may hold a token.
		return errors.New("webhook: url does not parse")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("webhook: url: want http:// or https:// and a host")
	}
	if w.Secret != "" && w.SecretFile != "" {
		return errors.New("webhook: secret and secret_file are exclusive")
	}
	for k := range w.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fmt.Errorf("webhook: header name %q is not valid", k)
		}
	}
	if err := w.TLS.Validate(); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

func (p *ProgramResponse) validate() error {
	if len(p.Command) == 0 || p.Command[0] == "" {
		return errors.New("program: command needs at least the program")
	}
	for k := range p.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return fmt.Errorf("program: env name %q is not valid", k)
		}
	}
	if p.MaxOutput == 0 {
		p.MaxOutput = DefaultProgramOutput
	}
	if p.MaxOutput < 0 {
		return errors.New("program: max_output must not be negative")
	}
	return nil
}

func (s *SyslogResponse) validate() error {
	switch s.Network {
	case "":
		s.Network = "udp"
	case "udp", "tcp", "tls":
	default:
		return fmt.Errorf("syslog: network %q: want udp, tcp or tls", s.Network)
	}
	if _, _, err := net.SplitHostPort(s.Address); err != nil {
		return fmt.Errorf("syslog: address %q: want host:port", s.Address)
	}
	switch s.Framing {
	case "":
		s.Framing = "octet-counting"
	case "octet-counting", "lf":
	default:
		return fmt.Errorf("syslog: framing %q: want octet-counting or lf", s.Framing)
	}
	if s.Facility == "" {
		s.Facility = "auth"
	}
	if _, err := SyslogFacility(s.Facility); err != nil {
		return fmt.Errorf("syslog: %w", err)
	}
	if s.AppName == "" {
		s.AppName = "vigil"
	}
	if s.SDID == "" {
		s.SDID = DefaultSyslogSDID
	}
	if !validSDName(s.SDID) {
		return fmt.Errorf("syslog: sd_id %q: want 1-32 printable ASCII characters without '=', ' ', ']' or '\"'", s.SDID)
	}
	if !validSyslogHeaderField(s.AppName, 48) || (s.Hostname != "" && !validSyslogHeaderField(s.Hostname, 255)) {
		return errors.New("syslog: app_name (at most 48) and hostname (at most 255) must be printable ASCII without spaces")
	}
	if s.MaxMessage == 0 {
		s.MaxMessage = DefaultSyslogMessage
	}
	if s.MaxMessage < 480 {
		return errors.New("syslog: max_message below 480 bytes (the size RFC 5424 says every receiver takes)")
	}
	if s.Network != "tls" && s.TLS.On() {
		return errors.New("syslog: tls settings need network: tls")
	}
	if err := s.TLS.Validate(); err != nil {
		return fmt.Errorf("syslog: %w", err)
	}
	return nil
}

// validSDName checks an RFC 5424 SD-NAME.
func validSDName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 || c == '=' || c == ']' || c == '"' {
			return false
		}
	}
	return true
}

func validSyslogHeaderField(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

func (k *KafkaResponse) validate() error {
	if len(k.Brokers) == 0 {
		return errors.New("kafka: brokers: at least one host:port")
	}
	for _, b := range k.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			return fmt.Errorf("kafka: broker %q: want host:port", b)
		}
	}
	if k.Topic == "" || len(k.Topic) > 249 {
		return errors.New("kafka: topic: 1 to 249 characters")
	}
	for _, c := range k.Topic {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("kafka: topic %q: want letters, digits, '.', '_' and '-'", k.Topic)
		}
	}
	if k.ClientID == "" {
		k.ClientID = "vigil"
	}
	switch k.SASL.Mechanism {
	case "":
		if k.SASL.Username != "" || k.SASL.Password != "" || k.SASL.PasswordFile != "" {
			return errors.New("kafka: sasl credentials need sasl.mechanism")
		}
	case "plain", "scram-sha-256", "scram-sha-512":
		if k.SASL.Username == "" {
			return fmt.Errorf("kafka: sasl %s needs a username", k.SASL.Mechanism)
		}
		if k.SASL.Password != "" && k.SASL.PasswordFile != "" {
			return errors.New("kafka: sasl password and password_file are exclusive")
		}
	default:
		return fmt.Errorf("kafka: sasl.mechanism %q: want plain, scram-sha-256 or scram-sha-512", k.SASL.Mechanism)
	}
	if err := k.TLS.Validate(); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	return nil
}
