package incident_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
)

// FuzzParsePatch: any body is either rejected or gives a valid patch that
// survives a JSON round trip unchanged.
func FuzzParsePatch(f *testing.F) {
	for _, s := range []string{
		`{"status":"closed"}`, `{"assignee":"ann","author":"bo"}`, `{"comment":"x","status":"in_progress"}`,
		`{"assignee":""}`, `{}`, `[]`, `{"status":1}`, `{"comment":"a"}{}`, `{"comment":"\u0000"}`, `{"author":"\t"}`,
		`{"comment":null}`, `{"status":"new","status":"closed"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := incident.ParsePatch(body)
		if err != nil {
			return
		}
		if p.Status == nil && p.Assignee == nil && p.Comment == nil {
			t.Fatalf("accepted an empty patch: %s", body)
		}
		if p.Status != nil && !p.Status.Valid() {
			t.Fatalf("accepted status %q", *p.Status)
		}
		if p.Author == "" || len(p.Author) > incident.MaxNameBytes || !utf8.ValidString(p.Author) {
			t.Fatalf("author %q", p.Author)
		}
		if p.Comment != nil && (*p.Comment == "" || len(*p.Comment) > incident.MaxCommentBytes || strings.TrimSpace(*p.Comment) != *p.Comment) {
			t.Fatalf("comment %q", *p.Comment)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := incident.ParsePatch(b)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip: %+v != %+v", p, q)
		}
	})
}

// FuzzGrouping: whatever the alerts, their order and batches, every alert
// is in exactly one incident, counts add up, merged incidents are empty and
// closed, and each incident's severity and time range cover its alerts.
func FuzzGrouping(f *testing.F) {
	f.Add([]byte{0, 0, 1, 3, 1, 5, 2, 3, 255, 2, 3, 4, 1, 0, 0, 1, 3})
	f.Add([]byte{0, 0, 1, 2, 0, 1, 2, 4, 0, 2, 3, 6, 254, 0, 3, 4, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		st := newMemStore()
		c := &clock{t: t0}
		cfg := incident.Config{Window: 10 * time.Minute, MaxSpan: time.Hour, Now: c.now}
		var ist incident.Store = st
		if len(data)%2 == 1 { // memberships held in memory, past their bound midway
			ist, cfg.MaxMembers = listingStore{st}, 8
		}
		m, err := incident.New(context.Background(), ist, cfg)
		if err != nil {
			t.Fatal(err)
		}
		hosts := []string{"ws1", "WS1", "ws2", "dc01"}
		users := []string{"bob", "alice", "SYSTEM", "svc"}
		ips := []string{"10.0.0.1", "::ffff:10.0.0.1", "10.0.0.2", "127.0.0.1"}
		latest := map[string]alert.Alert{}
		var batch []alert.Alert
		flush := func() {
			if err := m.WriteAlerts(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
		for len(data) >= 4 {
			op, a, b, c := data[0], data[1], data[2], data[3]
			data = data[4:]
			switch op {
			case 255:
				flush()
				continue
			case 254: // close the incident of an alert
				flush()
				if x, ok := latest[fmt.Sprint("a", a%16)]; ok {
					id := st.members["acme\x00"+x.ID]
					closed := incident.StatusClosed
					if _, err := m.Update(context.Background(), "acme", id, incident.Patch{Status: &closed}); err != nil {
						t.Fatal(err)
					}
				}
				continue
			}
			id := fmt.Sprint("a", a%16)
			x, seen := latest[id]
			if !seen {
				at := t0.Add(time.Duration(b) * time.Minute)
				x = alert.Alert{ID: id, Tenant: "acme", RuleID: fmt.Sprint("r", c%3), Level: alert.Levels[int(c)%5], First: at, Last: at}
				if c&8 != 0 {
					x.Entities.Hosts = []string{hosts[op%4]}
				}
				if c&16 != 0 {
					x.Entities.Users = []string{users[(op>>2)%4]}
				}
				if c&32 != 0 {
					x.Entities.SourceIPs = []string{ips[(op>>4)%4]}
				}
				if c&64 != 0 {
					x.Entities.DestinationIPs = []string{ips[(op>>6)%4]}
				}
			} else if x.Last.Before(x.First.Add(time.Duration(b) * time.Second)) {
				x.Last = x.First.Add(time.Duration(b) * time.Second) // a folded update
			}
			x.Count++
			latest[id] = x
			batch = append(batch, x)
		}
		flush()
		check(t, st, latest)
	})
}

func check(t *testing.T, st *memStore, latest map[string]alert.Alert) {
	t.Helper()
	counts := map[string]int{}
	for id := range latest {
		incID, ok := st.members["acme\x00"+id]
		if !ok {
			t.Fatalf("alert %s is in no incident", id)
		}
		inc, ok := st.incs["acme\x00"+incID]
		if !ok {
			t.Fatalf("alert %s is in incident %s, which does not exist", id, incID)
		}
		if inc.MergedInto != "" {
			t.Fatalf("alert %s is in merged incident %s", id, incID)
		}
		if !strings.Contains(","+strings.Join(inc.AlertIDs, ",")+",", ","+id+",") {
			t.Fatalf("incident %s does not list alert %s: %v", incID, id, inc.AlertIDs)
		}
		counts[incID]++
		a := st.alerts["acme\x00"+id]
		if a.Count != latest[id].Count {
			t.Fatalf("alert %s stored with count %d, want %d", id, a.Count, latest[id].Count)
		}
		if inc.Status != incident.StatusClosed {
			if alert.LevelRank(inc.Severity) < alert.LevelRank(a.Level) || a.First.Before(inc.First) || a.Last.After(inc.Last) {
				t.Fatalf("incident %+v does not cover alert %+v", inc, a)
			}
		}
	}
	for _, inc := range st.incs {
		if inc.MergedInto != "" {
			if inc.Status != incident.StatusClosed || inc.AlertCount != 0 {
				t.Fatalf("merged incident %+v", inc)
			}
			continue
		}
		if inc.AlertCount != counts[inc.ID] || len(inc.AlertIDs) != inc.AlertCount {
			t.Fatalf("incident %s counts %d alerts (%d ids), holds %d", inc.ID, inc.AlertCount, len(inc.AlertIDs), counts[inc.ID])
		}
	}
}
