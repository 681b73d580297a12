package intel

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Type is the kind of an indicator's value.
type Type uint8

// Indicator types.
const (
	TypeIP     Type = iota + 1 // an IPv4 or IPv6 address or CIDR
	TypeDomain                 // a domain name (also matches its subdomains)
	TypeURL                    // a URL (matched without scheme, host in lower case)
	TypeMD5
	TypeSHA1
	TypeSHA256
	TypeSHA512
)

// ECSType returns the ECS threat.indicator.type of the type (STIX Cyber
// Observable names, as ECS uses them); for an IP it depends on the family.
func (t Type) ECSType(value string) string {
	switch t {
	case TypeIP:
		if strings.Contains(value, ":") {
			return "ipv6-addr"
		}
		return "ipv4-addr"
	case TypeDomain:
		return "domain-name"
	case TypeURL:
		return "url"
	case TypeMD5, TypeSHA1, TypeSHA256, TypeSHA512:
		return "file"
	}
	return "unknown"
}

func (t Type) String() string {
	switch t {
	case TypeIP:
		return "ip"
	case TypeDomain:
		return "domain"
	case TypeURL:
		return "url"
	case TypeMD5:
		return "md5"
	case TypeSHA1:
		return "sha1"
	case TypeSHA256:
		return "sha256"
	case TypeSHA512:
		return "sha512"
	}
	return "unknown"
}

// ConfidenceUnknown marks an indicator whose source gives no confidence.
const ConfidenceUnknown = -1

// Indicator is one indicator of compromise.
type Indicator struct {
	Type Type
	// Value is canonical: an address or masked CIDR, a lower-case domain
	// without trailing dot, a URL as given, lower-case hex for hashes.
	Value string
	// ID is the source's id (STIX indicator id, MISP attribute uuid); empty
	// for CSV rows without one.
	ID string
	// Feed is the configured feed name.
	Feed string
	// Provider is who published the indicator (STIX identity, MISP
	// organisation); the feed name when the source says nothing.
	Provider string
	// Confidence is 0–100, or ConfidenceUnknown.
	Confidence  int
	Description string
	Reference   string
	// TLP is the Traffic Light Protocol marking (WHITE, CLEAR, GREEN, AMBER, RED).
	TLP string
	// ValidUntil is a Unix time in seconds after which the indicator no
	// longer matches; 0 means no end.
	ValidUntil int64
	// Tags are ATT&CK and other tags from the source ("attack.t1110").
	Tags []string
}

// RuleID names the indicator as an alert's rule: stable across reloads.
func (ind *Indicator) RuleID() string {
	if ind.ID != "" {
		return "intel:" + ind.Feed + ":" + ind.ID
	}
	return "intel:" + ind.Feed + ":" + ind.Type.String() + ":" + ind.Value
}

// ConfidenceLabel maps a 0–100 confidence to the ECS
// threat.indicator.confidence labels with the STIX 2.1 "None / Low / Med /
// High" scale of its appendix A: 0 None, 1–29 Low, 30–69 Medium, 70–100 High.
func ConfidenceLabel(c int) string {
	switch {
	case c < 0:
		return "Not Specified"
	case c == 0:
		return "None"
	case c < 30:
		return "Low"
	case c < 70:
		return "Medium"
	}
	return "High"
}

// ErrBadIndicator is wrapped by the errors of values that are no indicator.
var ErrBadIndicator = errors.New("not an indicator")

// Refang undoes the usual defanging of shared indicators: hxxp → http,
// [.] and (.) → ., [:] → :, [at] → @.
func Refang(s string) string {
	if !strings.ContainsAny(s, "[(x") {
		return s
	}
	r := strings.NewReplacer("[.]", ".", "(.)", ".", "{.}", ".", "[:]", ":", "[://]", "://", "[at]", "@", "[@]", "@")
	s = r.Replace(s)
	if len(s) > 4 && (strings.HasPrefix(s, "hxxp") || strings.HasPrefix(s, "HXXP")) {
		s = "http" + s[4:]
	}
	return s
}

// Canonical checks a value of type t (0: infer it) and returns its type
// and canonical form.
func Canonical(t Type, v string) (Type, string, error) {
	v = strings.TrimSpace(Refang(v))
	if v == "" {
		return 0, "", fmt.Errorf("empty value: %w", ErrBadIndicator)
	}
	if t == 0 {
		t = Infer(v)
		if t == 0 {
			return 0, "", fmt.Errorf("%q: %w", clip(v), ErrBadIndicator)
		}
	}
	switch t {
	case TypeIP:
		if a, err := netip.ParseAddr(v); err == nil {
			return t, a.Unmap().WithZone("").String(), nil
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return 0, "", fmt.Errorf("%q is no IP address or CIDR: %w", clip(v), ErrBadIndicator)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		if p.IsSingleIP() {
			return t, p.Addr().String(), nil
		}
		return t, p.String(), nil
	case TypeDomain:
		d := strings.TrimSuffix(strings.ToLower(v), ".")
		d = strings.TrimPrefix(d, "*.")
		if !validDomain(d) {
			return 0, "", fmt.Errorf("%q is no domain name: %w", clip(v), ErrBadIndicator)
		}
		return t, d, nil
	case TypeURL:
		if urlKey(v) == "" {
			return 0, "", fmt.Errorf("%q is no URL: %w", clip(v), ErrBadIndicator)
		}
		return t, v, nil
	case TypeMD5, TypeSHA1, TypeSHA256, TypeSHA512:
		h := strings.ToLower(v)
		if hashType(h) != t {
			return 0, "", fmt.Errorf("%q is no %s hash: %w", clip(v), t, ErrBadIndicator)
		}
		return t, h, nil
	}
	return 0, "", fmt.Errorf("type %d: %w", t, ErrBadIndicator)
}

// Infer guesses the type of a value: an address or CIDR, a hash by its
// length in hex digits, a URL when it has a scheme, else a domain name.
func Infer(v string) Type {
	if _, err := netip.ParseAddr(v); err == nil {
		return TypeIP
	}
	if _, err := netip.ParsePrefix(v); err == nil {
		return TypeIP
	}
	if t := hashType(strings.ToLower(v)); t != 0 {
		return t
	}
	if strings.Contains(v, "://") {
		return TypeURL
	}
	if validDomain(strings.TrimSuffix(strings.ToLower(v), ".")) {
		return TypeDomain
	}
	return 0
}

func hashType(h string) Type {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return 0
		}
	}
	switch len(h) {
	case 32:
		return TypeMD5
	case 40:
		return TypeSHA1
	case 64:
		return TypeSHA256
	case 128:
		return TypeSHA512
	}
	return 0
}

// validDomain accepts lower-case host names with at least one dot (and
// underscores, which real DNS names carry).
func validDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") || d[0] == '.' || d[len(d)-1] == '.' {
		return false
	}
	label := 0
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c >= 0x80:
		default:
			return false
		}
		label++
		if label > 63 {
			return false
		}
	}
	return true
}

// urlKey is how URLs are compared: without the scheme, the host in lower
// case, a lone trailing "/" dropped. "" when s has no host.
func urlKey(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	host, path, _ := strings.Cut(s, "/")
	if host == "" || strings.ContainsAny(host, " \t") {
		return ""
	}
	host = strings.ToLower(host)
	host = strings.TrimSuffix(strings.TrimSuffix(host, ":80"), ":443")
	if path == "" {
		return host
	}
	return host + "/" + path
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
