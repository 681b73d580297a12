package assets

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/enrich/internal/iptable"
	"github.com/vigilsiem/vigil/internal/event"
)

// Inventory formats. A host inventory is a CSV file with a header, or a
// JSON array of objects (or an object whose "hosts" key holds one):
//
//	name,ip,criticality,owner,tags,location
//	dc01.corp.example,10.0.0.10,critical,it-ops,domain-controller;tier0,Paris
//	,10.20.0.0/16,high,ot-team,ot,
//
// name (also host, hostname) and ip (also ips, address, cidr: addresses
// and CIDRs separated by ';', ',' or spaces) identify the asset, at least
// one of them; criticality is low, medium, high or critical; tags are
// separated by ';' or '|' (a JSON array in JSON); every other column is
// kept as vigil.asset.<side>.<column>.
//
// A user inventory has user (also name, username, user.name) and any of
// department, privileged (true/false, yes/no, 1/0), criticality,
// full_name, email, domain, title, manager, tags and other columns
// (kept as vigil.identity.<column>).

// Asset is one inventory host.
type Asset struct {
	Name        string
	Addrs       []netip.Prefix
	Criticality string
	Owner       string
	Tags        []string
	Extra       map[string]string
	// fields are the event fields the asset adds, per side (host, source, destination).
	fields [3][]event.Field
	rank   int
}

// Identity is one inventory user.
type Identity struct {
	Name        string
	Department  string
	Privileged  *bool
	Criticality string
	FullName    string
	Email       string
	Domain      string
	Title       string
	Manager     string
	Tags        []string
	Extra       map[string]string
	fields      []event.Field
	ecs         []event.Field // ECS user.* fields, set when the event lacks them
	rank        int
}

// Inventory is a loaded set of hosts and users; read-only once built.
type Inventory struct {
	hostsByName map[string]*Asset
	hostsByIP   iptable.Table[*Asset]
	users       map[string]*Identity
	hosts       int
}

// Hosts and Users are the numbers of entries.
func (inv *Inventory) Hosts() int { return inv.hosts }
func (inv *Inventory) Users() int { return len(inv.users) }

// Empty reports whether the inventory holds nothing.
func (inv *Inventory) Empty() bool { return inv == nil || inv.hosts == 0 && len(inv.users) == 0 }

var sides = [3]string{"host", "source", "destination"}

// record is one inventory row: column name → value(s).
type record map[string][]string

func (r record) get(keys ...string) string {
	for _, k := range keys {
		if v := r[k]; len(v) > 0 && strings.TrimSpace(v[0]) != "" {
			return strings.TrimSpace(v[0])
		}
	}
	return ""
}

// list splits the values of the first present key at any byte of seps.
func (r record) list(seps string, keys ...string) []string {
	for _, k := range keys {
		if v := r[k]; len(v) > 0 {
			var out []string
			for _, s := range v {
				for _, p := range strings.FieldsFunc(s, func(c rune) bool { return strings.ContainsRune(seps, c) }) {
					if p = strings.TrimSpace(p); p != "" {
						out = append(out, p)
					}
				}
			}
			return out
		}
	}
	return nil
}

// readRecords reads a CSV or JSON inventory; key names the JSON object
// key that may wrap the array ("hosts", "users").
func readRecords(path, key string) ([]record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	recs, err := parseRecords(b, key)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	return recs, nil
}

// parseRecords reads CSV, or JSON when the text starts with '[' or '{'.
func parseRecords(b []byte, key string) ([]record, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		return jsonRecords(t, key)
	}
	return csvRecords(b)
}

func csvRecords(b []byte) ([]record, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	var out []record
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		r := record{}
		for i, v := range row {
			if i < len(header) && header[i] != "" && v != "" {
				r[header[i]] = []string{v}
			}
		}
		out = append(out, r)
	}
}

func jsonRecords(b []byte, key string) ([]record, error) {
	var raw []map[string]any
	if b[0] == '{' {
		var wrap map[string]json.RawMessage
		if err := json.Unmarshal(b, &wrap); err != nil {
			return nil, fmt.Errorf("json: %w", err)
		}
		inner, ok := wrap[key]
		if !ok {
			return nil, fmt.Errorf("json: want an array or an object with %q", key)
		}
		b = inner
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	out := make([]record, 0, len(raw))
	for _, m := range raw {
		r := record{}
		for k, v := range m {
			k = strings.ToLower(k)
			switch v := v.(type) {
			case string:
				r[k] = []string{v}
			case bool:
				r[k] = []string{strconv.FormatBool(v)}
			case float64:
				r[k] = []string{strconv.FormatFloat(v, 'f', -1, 64)}
			case []any:
				for _, x := range v {
					r[k] = append(r[k], fmt.Sprint(x))
				}
			case nil:
			default:
				return nil, fmt.Errorf("json: %s: nested objects are not inventory values", k)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

var hostKnown = map[string]bool{"name": true, "host": true, "hostname": true, "ip": true, "ips": true, "address": true,
	"cidr": true, "criticality": true, "owner": true, "tags": true}

// Load reads host and user inventories into a new Inventory.
func Load(hostFiles, userFiles []string) (*Inventory, error) {
	inv := &Inventory{hostsByName: map[string]*Asset{}, users: map[string]*Identity{}}
	for _, p := range hostFiles {
		recs, err := readRecords(p, "hosts")
		if err != nil {
			return nil, err
		}
		for i, r := range recs {
			a, err := hostOf(r)
			if err != nil {
				return nil, fmt.Errorf("inventory %s: entry %d: %w", p, i+1, err)
			}
			inv.addHost(a)
		}
	}
	for _, p := range userFiles {
		recs, err := readRecords(p, "users")
		if err != nil {
			return nil, err
		}
		for i, r := range recs {
			u, err := userOf(r)
			if err != nil {
				return nil, fmt.Errorf("inventory %s: entry %d: %w", p, i+1, err)
			}
			inv.users[strings.ToLower(u.Name)] = u
		}
	}
	return inv, nil
}

func hostOf(r record) (*Asset, error) {
	a := &Asset{Name: r.get("name", "host", "hostname"), Criticality: strings.ToLower(r.get("criticality")),
		Owner: r.get("owner"), Tags: r.list(";|", "tags")}
	for _, s := range r.list("; ,", "ip", "ips", "address", "cidr") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			ad, err2 := netip.ParseAddr(s)
			if err2 != nil {
				return nil, fmt.Errorf("ip %q: not an address or CIDR", s)
			}
			ad = ad.Unmap().WithZone("")
			p = netip.PrefixFrom(ad, ad.BitLen())
		}
		a.Addrs = append(a.Addrs, p.Masked())
	}
	if a.Name == "" && len(a.Addrs) == 0 {
		return nil, errors.New("neither name nor ip")
	}
	if a.Criticality != "" && CriticalityRank(a.Criticality) < 0 {
		return nil, fmt.Errorf("criticality %q: want low, medium, high or critical", a.Criticality)
	}
	a.rank = CriticalityRank(a.Criticality)
	for k, v := range r {
		if !hostKnown[k] && len(v) > 0 && validColumn(k) {
			if a.Extra == nil {
				a.Extra = map[string]string{}
			}
			a.Extra[k] = strings.Join(v, ", ")
		}
	}
	name := a.Name
	if name == "" {
		name = a.Addrs[0].String()
	}
	for i, side := range sides {
		p := "vigil.asset." + side + "."
		fs := []event.Field{{Name: p + "name", Value: event.String(name)}}
		if a.Criticality != "" {
			fs = append(fs, event.Field{Name: p + "criticality", Value: event.String(a.Criticality)})
		}
		if a.Owner != "" {
			fs = append(fs, event.Field{Name: p + "owner", Value: event.String(a.Owner)})
		}
		if len(a.Tags) > 0 {
			fs = append(fs, event.Field{Name: p + "tags", Value: event.List(a.Tags)})
		}
		for _, k := range sortedKeys(a.Extra) {
			fs = append(fs, event.Field{Name: p + k, Value: event.String(a.Extra[k])})
		}
		a.fields[i] = fs
	}
	return a, nil
}

var userKnown = map[string]bool{"user": true, "name": true, "username": true, "user.name": true, "department": true,
	"privileged": true, "criticality": true, "full_name": true, "email": true, "domain": true, "title": true,
	"manager": true, "tags": true}

func userOf(r record) (*Identity, error) {
	u := &Identity{Name: r.get("user", "username", "user.name", "name"), Department: r.get("department"),
		Criticality: strings.ToLower(r.get("criticality")), FullName: r.get("full_name"), Email: r.get("email"),
		Domain: r.get("domain"), Title: r.get("title"), Manager: r.get("manager"), Tags: r.list(";|", "tags")}
	if u.Name == "" {
		return nil, errors.New("no user name")
	}
	if u.Criticality != "" && CriticalityRank(u.Criticality) < 0 {
		return nil, fmt.Errorf("criticality %q: want low, medium, high or critical", u.Criticality)
	}
	if p := r.get("privileged"); p != "" {
		b, ok := parseBool(p)
		if !ok {
			return nil, fmt.Errorf("privileged %q: want true or false", p)
		}
		u.Privileged = &b
	}
	u.rank = CriticalityRank(u.Criticality)
	if u.rank < 2 && u.Privileged != nil && *u.Privileged {
		u.rank = 2 // a privileged account counts as a high-criticality asset
	}
	for k, v := range r {
		if !userKnown[k] && len(v) > 0 && validColumn(k) {
			if u.Extra == nil {
				u.Extra = map[string]string{}
			}
			u.Extra[k] = strings.Join(v, ", ")
		}
	}
	add := func(name, v string) {
		if v != "" {
			u.fields = append(u.fields, event.Field{Name: "vigil.identity." + name, Value: event.String(v)})
		}
	}
	add("name", u.Name)
	add("department", u.Department)
	if u.Privileged != nil {
		u.fields = append(u.fields, event.Field{Name: "vigil.identity.privileged", Value: event.Bool(*u.Privileged)})
	}
	add("criticality", u.Criticality)
	add("title", u.Title)
	add("manager", u.Manager)
	if len(u.Tags) > 0 {
		u.fields = append(u.fields, event.Field{Name: "vigil.identity.tags", Value: event.List(u.Tags)})
	}
	for _, k := range sortedKeys(u.Extra) {
		add(k, u.Extra[k])
	}
	for _, f := range [][2]string{{"user.full_name", u.FullName}, {"user.email", u.Email}, {"user.domain", u.Domain}} {
		if f[1] != "" {
			u.ecs = append(u.ecs, event.Field{Name: f[0], Value: event.String(f[1])})
		}
	}
	return u, nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "y", "1":
		return true, true
	case "false", "no", "n", "0":
		return false, true
	}
	return false, false
}

// validColumn accepts column names usable as field name parts.
func validColumn(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (inv *Inventory) addHost(a *Asset) {
	inv.hosts++
	if a.Name != "" {
		n := strings.ToLower(strings.TrimSuffix(a.Name, "."))
		inv.hostsByName[n] = a
		if short, _, ok := strings.Cut(n, "."); ok {
			if _, taken := inv.hostsByName[short]; !taken {
				inv.hostsByName[short] = a
			}
		}
	}
	for _, p := range a.Addrs {
		inv.hostsByIP.Insert(p, a)
	}
}

// HostByName finds a host by its name or short name (case-insensitive).
func (inv *Inventory) HostByName(name string) *Asset {
	if name == "" {
		return nil
	}
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if a := inv.hostsByName[n]; a != nil {
		return a
	}
	if short, _, ok := strings.Cut(n, "."); ok {
		return inv.hostsByName[short]
	}
	return nil
}

// HostByIP finds the host whose most specific address or CIDR holds a.
func (inv *Inventory) HostByIP(a netip.Addr) *Asset {
	h, _, _ := inv.hostsByIP.Lookup(a)
	return h
}

// User finds a user by name, case-insensitive, also without a
// "DOMAIN\" prefix or "@domain" suffix.
func (inv *Inventory) User(name string) *Identity {
	if name == "" || len(inv.users) == 0 {
		return nil
	}
	n := strings.ToLower(name)
	if u := inv.users[n]; u != nil {
		return u
	}
	if i := strings.LastIndexByte(n, '\\'); i >= 0 {
		if u := inv.users[n[i+1:]]; u != nil {
			return u
		}
	}
	if i := strings.IndexByte(n, '@'); i > 0 {
		return inv.users[n[:i]]
	}
	return nil
}
