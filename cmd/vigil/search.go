package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// searchReply is the body of GET /api/v1/search.
type searchReply struct {
	Events  []store.Row `json:"events"`
	Total   int64       `json:"total"`
	TookMS  int64       `json:"took_ms"`
	Shape   string      `json:"shape"`
	Columns []string    `json:"columns"`
}

func defaultServer() string {
	if s := os.Getenv("VIGIL_SERVER"); s != "" {
		return s
	}
	return "http://127.0.0.1:8080"
}

func init() {
	c := &command{name: "search", summary: "search stored events from the terminal (talks to the API of a running vigil serve; credentials from VIGIL_TOKEN or VIGIL_USER/VIGIL_PASSWORD)", usage: "[OPTIONS] QUERY"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		server := fs.String("server", defaultServer(), "`URL` of the Vigil API ($VIGIL_SERVER)")
		from := fs.String("from", "", "start `time`: RFC 3339, epoch seconds, or relative (-15m, -24h, -7d)")
		to := fs.String("to", "", "end `time` (exclusive); same forms as --from")
		limit := fs.Int("limit", store.DefaultLimit, "most `rows` to print")
		format := fs.String("format", "table", "output: table, json, ndjson (one flat ECS object per line) or csv")
		tenant := fs.String("tenant", "default", "`tenant` to search")
		dataset := fs.String("dataset", "events", "`dataset`: events, deadletters or audit (admins)")
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(pos) > 1 {
			return errUsage
		}
		q := ""
		if len(pos) == 1 {
			q = pos[0]
		}
		switch *format {
		case "table", "json", "ndjson", "csv":
		default:
			return fmt.Errorf("--format %q: want table, json, ndjson or csv", *format)
		}
		v := url.Values{"q": {q}, "limit": {strconv.Itoa(*limit)}, "tenant": {*tenant}, "dataset": {*dataset}}
		if *from != "" {
			v.Set("from", *from)
		}
		if *to != "" {
			v.Set("to", *to)
		}
		u := strings.TrimRight(*server, "/") + "/api/v1/search?" + v.Encode()
		client := &http.Client{Timeout: 5 * time.Minute}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		addCredentials(req)
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("reach the Vigil API at %s (is `vigil serve` running? set --server or VIGIL_SERVER): %w", *server, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return fmt.Errorf("read reply: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(body, &e) == nil && e.Error != "" {
				return errors.New(e.Error)
			}
			return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		}
		if *format == "json" {
			_, err := os.Stdout.Write(body)
			return err
		}
		var r searchReply
		if err := json.Unmarshal(body, &r); err != nil {
			return fmt.Errorf("decode reply: %w", err)
		}
		w := bufio.NewWriter(os.Stdout)
		defer w.Flush()
		switch *format {
		case "ndjson":
			for _, row := range r.Events {
				w.Write(row.AppendJSON(nil))
				w.WriteByte('\n')
			}
		case "csv":
			return writeCSV(w, &r)
		default:
			writeTable(w, &r)
			fmt.Fprintf(os.Stderr, "%d of %d in %d ms\n", len(r.Events), r.Total, r.TookMS)
		}
		return nil
	}
	register(c)
}

// resultColumns are a table's columns, or for events every field that
// appears, envelope and message first.
func resultColumns(r *searchReply) []string {
	if r.Shape == "table" && len(r.Columns) > 0 {
		return r.Columns
	}
	seen := map[string]bool{}
	var cols []string
	for _, row := range r.Events {
		for _, c := range row {
			if !seen[c.Name] {
				seen[c.Name] = true
				cols = append(cols, c.Name)
			}
		}
	}
	first := map[string]int{"@timestamp": 0, "vigil.source": 1, "host.name": 2, "message": 3}
	sort.SliceStable(cols, func(i, j int) bool {
		a, aok := first[cols[i]]
		b, bok := first[cols[j]]
		switch {
		case aok && bok:
			return a < b
		case aok != bok:
			return aok
		}
		return cols[i] < cols[j]
	})
	return cols
}

func writeCSV(w io.Writer, r *searchReply) error {
	cols := resultColumns(r)
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	for _, row := range r.Events {
		rec := make([]string, len(cols))
		for i, c := range cols {
			rec[i] = row.Text(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTable prints events as time, source, host and message (or the
// original record when there is no message), and tables as they are.
func writeTable(w io.Writer, r *searchReply) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	cols := r.Columns
	if r.Shape != "table" || len(cols) == 0 {
		cols = []string{"@timestamp", "vigil.source", "host.name", "message"}
	}
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(cols, "\t")))
	for _, row := range r.Events {
		vals := make([]string, len(cols))
		for i, c := range cols {
			v := row.Text(c)
			if c == "message" && v == "" {
				v = row.Text("event.original")
			}
			v = strings.ReplaceAll(strings.ReplaceAll(v, "\n", " "), "\t", " ")
			if len(v) > 200 {
				v = v[:197] + "..."
			}
			vals[i] = v
		}
		fmt.Fprintln(tw, strings.Join(vals, "\t"))
	}
}
