package main

import (
	"bufio"
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

	"github.com/vigilsiem/vigil/internal/incident"
)

// incidentsOut is where the incidents command prints (tests swap it).
var incidentsOut io.Writer = os.Stdout

func init() {
	c := &command{name: "incidents", summary: "list, show and update incidents (talks to the API of a running vigil serve)",
		usage: "list [OPTIONS] | show [OPTIONS] ID | update [OPTIONS] ID"}
	c.run = func(args []string) error {
		if len(args) == 0 {
			return errUsage
		}
		fs := newFlagSet(c)
		if strings.HasPrefix(args[0], "-") { // --help before the verb
			if err := fs.Parse(args); err != nil {
				return err
			}
			return errUsage
		}
		server := fs.String("server", defaultServer(), "`URL` of the Vigil API ($VIGIL_SERVER)")
		tenant := fs.String("tenant", "default", "`tenant` of the incidents")
		format := fs.String("format", "table", "output: table or json")
		status := fs.String("status", "", "list: `statuses` to keep (new, in_progress, closed; a comma list); update: the new status")
		severity := fs.String("severity", "", "list: the lowest `severity` to keep")
		entity := fs.String("entity", "", "list: a `host, user or IP` the incidents involve")
		assignee := fs.String("assignee", "", "list: incidents assigned to this `name`; update: assign to it (\"-\" unassigns)")
		from := fs.String("from", "", "list: incidents active after this `time` (RFC 3339, epoch, -24h...)")
		to := fs.String("to", "", "list: incidents active before this `time`")
		limit := fs.Int("limit", 50, "list: most `incidents` to print")
		comment := fs.String("comment", "", "update: a `comment` to add")
		author := fs.String("author", os.Getenv("USER"), "update: who makes the change")
		verb := args[0]
		pos, err := parseInterspersed(fs, args[1:])
		if err != nil {
			return err
		}
		if *format != "table" && *format != "json" {
			return fmt.Errorf("--format %q: want table or json", *format)
		}
		base := strings.TrimRight(*server, "/") + "/api/v1/incidents"
		q := url.Values{"tenant": {*tenant}}
		var body []byte
		method := http.MethodGet
		switch verb {
		case "list":
			if len(pos) != 0 {
				return errUsage
			}
			for k, v := range map[string]string{"status": *status, "severity": *severity, "entity": *entity, "assignee": *assignee, "from": *from, "to": *to} {
				if v != "" {
					q.Set(k, v)
				}
			}
			q.Set("limit", strconv.Itoa(*limit))
		case "show", "update":
			if len(pos) != 1 {
				return errUsage
			}
			base += "/" + url.PathEscape(pos[0])
			if verb == "update" {
				method = http.MethodPatch
				p := map[string]string{}
				if *status != "" {
					p["status"] = *status
				}
				switch *assignee {
				case "":
				case "-":
					p["assignee"] = ""
				default:
					p["assignee"] = *assignee
				}
				if *comment != "" {
					p["comment"] = *comment
				}
				if len(p) == 0 {
					return errors.New("update: give --status, --assignee or --comment")
				}
				p["author"] = *author
				body, _ = json.Marshal(p)
			}
		default:
			return errUsage
		}
		reply, err := incidentsCall(method, base+"?"+q.Encode(), body, *server)
		if err != nil {
			return err
		}
		if *format == "json" {
			_, err := incidentsOut.Write(reply)
			return err
		}
		w := bufio.NewWriter(incidentsOut)
		defer w.Flush()
		if verb == "list" {
			var r struct {
				Incidents []incident.Incident `json:"incidents"`
				Total     int64               `json:"total"`
			}
			if err := json.Unmarshal(reply, &r); err != nil {
				return fmt.Errorf("decode reply: %w", err)
			}
			writeIncidents(w, r.Incidents)
			fmt.Fprintf(os.Stderr, "%d of %d incidents\n", len(r.Incidents), r.Total)
			return nil
		}
		var d incident.Detail
		if err := json.Unmarshal(reply, &d); err != nil {
			return fmt.Errorf("decode reply: %w", err)
		}
		writeIncident(w, &d)
		return nil
	}
	register(c)
}

func incidentsCall(method, u string, body []byte, server string) ([]byte, error) {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("reach the Vigil API at %s (is `vigil serve` running? set --server or VIGIL_SERVER): %w", server, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(reply, &e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(reply)))
	}
	return reply, nil
}

func entitySummary(inc *incident.Incident) string {
	var parts []string
	for _, l := range [][]string{inc.Entities.Hosts, inc.Entities.Users, inc.Entities.SourceIPs, inc.Entities.DestinationIPs} {
		parts = append(parts, l...)
	}
	s := strings.Join(parts, ",")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func writeIncidents(w io.Writer, list []incident.Incident) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "ID\tLAST\tSEVERITY\tSTATUS\tASSIGNEE\tALERTS\tTITLE\tENTITIES")
	for i := range list {
		inc := &list[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", inc.ID, inc.Last.Format(time.RFC3339), inc.Severity, inc.Status,
			inc.Assignee, inc.AlertCount, inc.Title, entitySummary(inc))
	}
}

func writeIncident(w io.Writer, d *incident.Detail) {
	fmt.Fprintf(w, "%s  %s\n  severity %s, status %s, assignee %q, %d alerts, %s to %s\n  entities: %s\n",
		d.ID, d.Title, d.Severity, d.Status, d.Assignee, d.AlertCount, d.First.Format(time.RFC3339), d.Last.Format(time.RFC3339), entitySummary(&d.Incident))
	if d.MergedInto != "" {
		fmt.Fprintf(w, "  merged into %s\n", d.MergedInto)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "\nTIME\tKIND\tWHO\tWHAT")
	for _, e := range d.Timeline {
		what := e.Text
		switch {
		case e.Alert != nil:
			what = fmt.Sprintf("%s [%s] ×%d  %s", e.Alert.Title, e.Alert.Level, e.Alert.Count, e.Alert.EventsQuery)
			if len(what) > 160 {
				what = what[:157] + "..."
			}
		case e.Kind == incident.EntryStatus || e.Kind == incident.EntryAssignee:
			what = fmt.Sprintf("%q → %q", e.From, e.To)
		case e.Incident != "":
			what = e.Incident
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Time.Format(time.RFC3339), e.Kind, e.Actor, strings.ReplaceAll(what, "\n", " "))
	}
}
