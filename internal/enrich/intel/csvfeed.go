package intel

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSV feeds: one indicator per row. A first row naming a value column
// ("value", "indicator", "ioc", "ip", "domain", "url" or "hash") is a
// header; its other known columns (case-insensitive) are read too:
//
//	type         ip, ipv4, ipv6, cidr, ipv4-addr, ipv6-addr, domain, domain-name,
//	             hostname, url, md5, sha1, sha256, sha512 (empty: inferred)
//	confidence   0–100, or low / medium / high
//	description  (or comment), reference, id, provider (or source), tlp,
//	valid_until  (or expires): RFC 3339, a date, or Unix seconds
//
// Without such a header the first column is the value and the type is
// inferred: plain block lists (one address, domain, URL or hash per line)
// load as they are. Lines starting with '#' are comments; values may be
// defanged ("evil[.]example", "hxxp://…").

var csvValueCols = map[string]Type{"value": 0, "indicator": 0, "ioc": 0, "ip": TypeIP, "domain": TypeDomain, "url": TypeURL, "hash": 0}

// ParseCSV reads a CSV feed.
func ParseCSV(r io.Reader, src Source) ([]Indicator, Stats, error) {
	var st Stats
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	cols := map[string]int{"value": 0}
	colType := Type(0)
	now := src.now()
	var out []Indicator
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, st, fmt.Errorf("csv: %w", err)
		}
		if first {
			first = false
			if h, t, ok := csvHeader(rec); ok {
				cols, colType = h, t
				continue
			}
		}
		get := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		value := get("value")
		if value == "" {
			st.skip("empty value")
			continue
		}
		t := colType
		if ts := get("type"); ts != "" {
			var ok bool
			if t, ok = csvType(ts); !ok {
				st.skip("unknown type")
				continue
			}
		}
		t, v, err := Canonical(t, value)
		if err != nil {
			st.skip("bad value")
			continue
		}
		ind := Indicator{Type: t, Value: v, ID: get("id"), Feed: src.Feed, Provider: get("provider"),
			Confidence: src.Confidence, Description: get("description"), Reference: get("reference"),
			TLP: strings.ToUpper(strings.TrimPrefix(strings.ToLower(get("tlp")), "tlp:"))}
		if ind.Provider == "" {
			ind.Provider = src.provider()
		}
		if c := get("confidence"); c != "" {
			n, ok := csvConfidence(c)
			if !ok {
				st.skip("bad confidence")
				continue
			}
			ind.Confidence = n
		}
		if u := get("valid_until"); u != "" {
			until, ok := csvTime(u)
			if !ok {
				st.skip("bad valid_until")
				continue
			}
			if until.Before(now) {
				st.skip("expired")
				continue
			}
			ind.ValidUntil = until.Unix()
		}
		out = append(out, ind)
		st.Loaded++
	}
	return out, st, nil
}

// csvHeader recognises a header row and maps its column names.
func csvHeader(rec []string) (map[string]int, Type, bool) {
	cols := map[string]int{}
	valueType, hasValue := Type(0), false
	for i, c := range rec {
		name := strings.ToLower(strings.TrimSpace(c))
		switch name {
		case "comment":
			name = "description"
		case "source":
			name = "provider"
		case "expires", "expiration", "valid_to":
			name = "valid_until"
		}
		if t, ok := csvValueCols[name]; ok && !hasValue {
			cols["value"] = i
			valueType, hasValue = t, true
			continue
		}
		switch name {
		case "type", "confidence", "description", "reference", "id", "provider", "tlp", "valid_until":
			if _, dup := cols[name]; !dup {
				cols[name] = i
			}
		}
	}
	return cols, valueType, hasValue
}

func csvType(s string) (Type, bool) {
	switch strings.ToLower(s) {
	case "ip", "ipv4", "ipv6", "cidr", "ipv4-addr", "ipv6-addr", "ip-src", "ip-dst", "ip-addr":
		return TypeIP, true
	case "domain", "domain-name", "hostname", "fqdn":
		return TypeDomain, true
	case "url", "uri":
		return TypeURL, true
	case "md5":
		return TypeMD5, true
	case "sha1", "sha-1":
		return TypeSHA1, true
	case "sha256", "sha-256":
		return TypeSHA256, true
	case "sha512", "sha-512":
		return TypeSHA512, true
	case "hash", "file":
		return 0, true
	}
	return 0, false
}

func csvConfidence(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "high":
		return 85, true
	case "medium", "med", "moderate":
		return 50, true
	case "low":
		return 15, true
	case "none":
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100 {
		return 0, false
	}
	return n, true
}

func csvTime(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
