package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

func TestWatchlistsRoundTrip(t *testing.T) {
	wt0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	var now atomic.Int64 // the store's clock, in Unix nanoseconds
	now.Store(wt0.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	s, err := watchlist.Open(watchlist.Options{Dir: t.TempDir(), Now: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{Mounts: []api.Mounter{api.WatchlistsHandler{Store: s}}}).Handler())
	defer srv.Close()

	do := func(method, path, ctype, body string, wantStatus int) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, wantStatus)
		}
		var out map[string]any
		if len(b) > 0 {
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("%s %s: body %s: %v", method, path, b, err)
			}
		}
		return out
	}
	in := do("PUT", "/api/v1/watchlists/bad_ips?tenant=acme", "application/json", `{"description":"blocked","ttl":"7d"}`, http.StatusCreated)
	if in["ttl"] != "168h0m0s" || in["name"] != "bad_ips" || in["tenant"] != "acme" {
		t.Errorf("created %v", in)
	}
	do("PUT", "/api/v1/watchlists/bad_ips?tenant=acme", "", `{"ttl":3600}`, http.StatusOK)
	got := do("POST", "/api/v1/watchlists/bad_ips/entries?tenant=acme", "text/csv", "key,value,count\n203.0.113.5,scanner,2\n198.51.100.7,c2,\n", http.StatusOK)
	if got["imported"] != float64(2) {
		t.Errorf("import = %v", got)
	}
	do("POST", "/api/v1/watchlists/bad_ips/entries?tenant=acme", "application/json", `[{"key":"192.0.2.1","value":"tor","ttl":"30m"}]`, http.StatusOK)
	do("POST", "/api/v1/watchlists/bad_ips/entries?tenant=acme", "", `{"entries":[{"key":"192.0.2.2"}]}`, http.StatusOK)
	list := do("GET", "/api/v1/watchlists/bad_ips/entries?tenant=acme&prefix=19", "", "", http.StatusOK)
	if list["total"] != float64(3) {
		t.Errorf("entries with prefix 19 = %v", list)
	}
	e := do("GET", "/api/v1/watchlists/bad_ips/entries/203.0.113.5?tenant=acme", "", "", http.StatusOK)
	if e["value"] != "scanner" || e["count"] != float64(2) || e["expires"] == nil {
		t.Errorf("entry = %v", e)
	}
	e = do("PUT", "/api/v1/watchlists/bad_ips/entries/a%2Fb%20c?tenant=acme", "", `{"value":"slash","count":9}`, http.StatusOK)
	if e["key"] != "a/b c" || e["count"] != float64(9) {
		t.Errorf("put entry = %v", e)
	}
	if _, ok := s.Lookup("acme", "bad_ips", "A/B C"); !ok {
		t.Error("an entry written through the API is not seen by rules")
	}
	// tenants are isolated
	do("GET", "/api/v1/watchlists/bad_ips", "", "", http.StatusNotFound)
	if l := do("GET", "/api/v1/watchlists", "", "", http.StatusOK); len(l["watchlists"].([]any)) != 0 {
		t.Errorf("default tenant sees %v", l)
	}
	if l := do("GET", "/api/v1/watchlists?tenant=acme", "", "", http.StatusOK); len(l["watchlists"].([]any)) != 1 {
		t.Errorf("acme sees %v", l)
	}
	do("DELETE", "/api/v1/watchlists/bad_ips/entries/192.0.2.1?tenant=acme", "", "", http.StatusNoContent)
	do("DELETE", "/api/v1/watchlists/bad_ips/entries/192.0.2.1?tenant=acme", "", "", http.StatusNotFound)
	// errors
	do("PUT", "/api/v1/watchlists/bad%20name", "", `{}`, http.StatusBadRequest)
	do("PUT", "/api/v1/watchlists/x", "", `{"ttl":"soon"}`, http.StatusBadRequest)
	do("PUT", "/api/v1/watchlists/x", "", `{"colour":"red"}`, http.StatusBadRequest)
	do("POST", "/api/v1/watchlists/x/entries", "text/csv", "k,v,forever\n", http.StatusBadRequest)
	do("POST", "/api/v1/watchlists/x/entries", "application/xml", "<x/>", http.StatusUnsupportedMediaType)
	do("GET", "/api/v1/watchlists/bad_ips/entries?tenant=acme&limit=0", "", "", http.StatusBadRequest)
	do("PUT", "/api/v1/watchlists/small", "", `{"max_entries":1}`, http.StatusCreated)
	do("POST", "/api/v1/watchlists/small/entries", "text/csv", "a\nb\n", http.StatusConflict)
	// expiry is visible through the API
	now.Store(wt0.Add(31 * time.Minute).UnixNano())
	if l := do("GET", "/api/v1/watchlists/bad_ips?tenant=acme", "", "", http.StatusOK); l["entries"] != float64(4) {
		t.Errorf("after 31m: %v entries, want 4", l["entries"])
	}
	do("DELETE", "/api/v1/watchlists/bad_ips?tenant=acme", "", "", http.StatusNoContent)
	do("GET", "/api/v1/watchlists/bad_ips/entries?tenant=acme", "", "", http.StatusNotFound)
}
