package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

func init() {
	c := &command{name: "watchlist", summary: "list, show and edit watch-lists, import them from CSV (talks to the API of a running vigil serve)",
		usage: "list | show NAME | create NAME [--ttl D] | add NAME KEY [VALUE] | remove NAME KEY...|--all | import NAME FILE.csv|-"}
	c.run = func(args []string) error { return runWatchlist(c, args, os.Stdin, os.Stdout) }
	register(c)
}

// wlClient talks to the watch-list API.
type wlClient struct {
	server, tenant string
	http           *http.Client
}

func (c *wlClient) url(path string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	q.Set("tenant", c.tenant)
	return strings.TrimRight(c.server, "/") + "/api/v1/watchlists" + path + "?" + q.Encode()
}

// do sends a request and decodes a JSON reply into out (when not nil); an
// error reply becomes an error with the API's message.
func (c *wlClient) do(method, u, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reach the Vigil API at %s (is `vigil serve` running? set --server or VIGIL_SERVER): %w", c.server, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode reply: %w", err)
		}
	}
	return nil
}

func runWatchlist(c *command, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		newFlagSet(c).Usage()
		return nil
	}
	fs := newFlagSet(c)
	server := fs.String("server", defaultServer(), "`URL` of the Vigil API ($VIGIL_SERVER)")
	tenant := fs.String("tenant", "default", "`tenant` whose lists to use")
	format := fs.String("format", "table", "output of list and show: table, json or csv")
	ttl := fs.String("ttl", "", "create: the entries' lifetime (30m, 12h, 7d); add: this entry's")
	desc := fs.String("description", "", "create: what the list holds")
	maxEntries := fs.Int("max-entries", 0, "create: the most entries the list may hold (0: the server's default)")
	count := fs.Int64("count", -1, "add: set the entry's count")
	prefix := fs.String("prefix", "", "show: only keys starting with this")
	limit := fs.Int("limit", 1000, "show: the most entries to print")
	all := fs.Bool("all", false, "remove: delete the whole list")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return fmt.Errorf("--format %q: want table, json or csv", *format)
	}
	cl := &wlClient{server: *server, tenant: *tenant, http: &http.Client{Timeout: 5 * time.Minute}}
	name := ""
	if len(pos) > 0 {
		name = pos[0]
	}
	switch sub {
	case "list":
		if len(pos) != 0 {
			return errUsage
		}
		var r struct {
			Watchlists []watchlist.Info `json:"watchlists"`
		}
		if err := cl.do("GET", cl.url("", nil), "", nil, &r); err != nil {
			return err
		}
		if *format == "json" {
			return writeIndented(stdout, r.Watchlists)
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tENTRIES\tTTL\tMAX\tUPDATED\tDESCRIPTION")
		for _, l := range r.Watchlists {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", l.Name, l.Entries, ttlText(l.TTL), l.MaxEntries,
				l.Updated.UTC().Format(time.RFC3339), l.Description)
		}
		return tw.Flush()
	case "show":
		if len(pos) != 1 {
			return errUsage
		}
		q := url.Values{"limit": {strconv.Itoa(*limit)}}
		if *prefix != "" {
			q.Set("prefix", *prefix)
		}
		var r struct {
			Entries []watchlist.Entry `json:"entries"`
			Total   int               `json:"total"`
		}
		if err := cl.do("GET", cl.url("/"+url.PathEscape(name)+"/entries", q), "", nil, &r); err != nil {
			return err
		}
		return printEntries(stdout, *format, r.Entries, r.Total)
	case "create":
		if len(pos) != 1 {
			return errUsage
		}
		set := map[string]any{"description": *desc, "max_entries": *maxEntries}
		if *ttl != "" {
			set["ttl"] = *ttl
		}
		b, _ := json.Marshal(set)
		var in watchlist.Info
		if err := cl.do("PUT", cl.url("/"+url.PathEscape(name), nil), "application/json", bytes.NewReader(b), &in); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "watch-list %s: ttl %s, %d entries\n", in.Name, ttlText(in.TTL), in.Entries)
		return nil
	case "add":
		if len(pos) != 2 && len(pos) != 3 {
			return errUsage
		}
		body := map[string]any{}
		if len(pos) == 3 {
			body["value"] = pos[2]
		}
		if *count >= 0 {
			body["count"] = *count
		}
		if *ttl != "" {
			body["ttl"] = *ttl
		}
		b, _ := json.Marshal(body)
		var e watchlist.Entry
		if err := cl.do("PUT", cl.url("/"+url.PathEscape(name)+"/entries/"+url.PathEscape(pos[1]), nil), "application/json", bytes.NewReader(b), &e); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s = %q (count %d%s)\n", name, e.Key, e.Value, e.Count, expiresText(e.Expires))
		return nil
	case "remove":
		switch {
		case *all && len(pos) == 1:
			if err := cl.do("DELETE", cl.url("/"+url.PathEscape(name), nil), "", nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "watch-list %s deleted\n", name)
			return nil
		case !*all && len(pos) >= 2:
			for _, k := range pos[1:] {
				if err := cl.do("DELETE", cl.url("/"+url.PathEscape(name)+"/entries/"+url.PathEscape(k), nil), "", nil, nil); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
			}
			fmt.Fprintf(stdout, "%s: %d removed\n", name, len(pos)-1)
			return nil
		}
		return errUsage
	case "import":
		if len(pos) != 2 {
			return errUsage
		}
		var r io.Reader = stdin
		if pos[1] != "-" {
			f, err := os.Open(pos[1])
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		var out struct {
			Imported int `json:"imported"`
		}
		if err := cl.do("POST", cl.url("/"+url.PathEscape(name)+"/entries", nil), "text/csv", r, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d entries imported\n", name, out.Imported)
		return nil
	}
	return errUsage
}

func ttlText(d watchlist.Duration) string {
	if d == 0 {
		return "never"
	}
	return time.Duration(d).String()
}

func expiresText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ", expires " + t.UTC().Format(time.RFC3339)
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printEntries(w io.Writer, format string, es []watchlist.Entry, total int) error {
	switch format {
	case "json":
		return writeIndented(w, es)
	case "csv":
		var b strings.Builder
		b.WriteString("key,value,count,ttl\n")
		for _, e := range es {
			ttl := ""
			if e.TTL != 0 {
				ttl = time.Duration(e.TTL).String()
			}
			fmt.Fprintf(&b, "%s,%s,%d,%s\n", csvCell(e.Key), csvCell(e.Value), e.Count, ttl)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tCOUNT\tUPDATED\tEXPIRES")
	for _, e := range es {
		exp := "never"
		if e.Expires != nil {
			exp = e.Expires.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", e.Key, e.Value, e.Count, e.Updated.UTC().Format(time.RFC3339), exp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(es) {
		fmt.Fprintf(w, "(%d of %d entries; --limit shows more)\n", len(es), total)
	}
	return nil
}

// csvCell quotes a CSV cell when it needs it (RFC 4180).
func csvCell(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") || strings.HasPrefix(s, "#") || strings.TrimSpace(s) != s {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
