package api

import (
	"net/http"
	"strings"

	"github.com/vigilsiem/vigil/internal/source/httpin"
)

// Ingest mounts the HTTP ingest endpoints that package httpin serves
// (docs/sources.md): NDJSON, Splunk HEC and the Elasticsearch bulk API,
// with the probes shippers make first. They are Public to the API's auth
// middleware: they check their own ingest tokens.
type Ingest struct {
	Handler *httpin.Handler
}

// ingestSummaries document the ingest routes, by pattern. A route httpin
// mounts without a summary here fails TestOpenAPICoversEveryRoute.
var ingestSummaries = map[string]string{
	"POST /api/v1/ingest":                "Ingest NDJSON events (?format=NAME: raw lines of that format)",
	"POST /services/collector":           "Splunk HEC: ingest events",
	"POST /services/collector/event":     "Splunk HEC: ingest events",
	"POST /services/collector/event/1.0": "Splunk HEC: ingest events",
	"POST /services/collector/raw":       "Splunk HEC: ingest raw lines",
	"POST /services/collector/raw/1.0":   "Splunk HEC: ingest raw lines",
	"GET /services/collector/health":     "Splunk HEC: health",
	"GET /services/collector/health/1.0": "Splunk HEC: health",
	"POST /services/collector/ack":       "Splunk HEC: acknowledgements (answered: disabled)",
	"POST /_bulk":                        "Elasticsearch bulk API: ingest documents",
	"PUT /_bulk":                         "Elasticsearch bulk API: ingest documents",
	"POST /{index}/_bulk":                "Elasticsearch bulk API into an index: ingest documents",
	"POST /{index}/_doc":                 "Elasticsearch: ingest one document",
	"GET /{$}":                           "Elasticsearch cluster information (a browser gets the console)",
	"GET /_license":                      "Elasticsearch probe: the license",
	"GET /_xpack":                        "Elasticsearch probe: X-Pack features",
	"GET /_cluster/health":               "Elasticsearch probe: cluster health",
	"PUT /_index_template/{name}":        "Elasticsearch probe: install an index template (acknowledged, ignored)",
	"PUT /_template/{name}":              "Elasticsearch probe: install a legacy template (acknowledged, ignored)",
	"PUT /_ilm/policy/{name}":            "Elasticsearch probe: install an ILM policy (acknowledged, ignored)",
	"PUT /_component_template/{name}":    "Elasticsearch probe: install a component template (acknowledged, ignored)",
	"GET /_index_template/{name}":        "Elasticsearch probe: an index template",
	"GET /_template/{name}":              "Elasticsearch probe: a legacy template",
	"GET /_ilm/policy/{name}":            "Elasticsearch probe: an ILM policy",
}

// Routes implements Mounter.
func (in Ingest) Routes() []Route {
	var c routeCollector
	in.Handler.Register(&c)
	for i := range c {
		c[i].Tag = "ingest"
		c[i].Role = Public
		c[i].Summary = ingestSummaries[c[i].Pattern()]
		if strings.HasPrefix(c[i].Path, "/api/") || strings.HasPrefix(c[i].Path, "/services/") {
			c[i].Body = []string{"application/json", "application/x-ndjson", "text/plain"}
		} else if c[i].Method != "GET" {
			c[i].Body = []string{"application/json", "application/x-ndjson"}
		}
	}
	return c
}

// routeCollector takes the patterns a package mounts on an httpin.Mux.
type routeCollector []Route

// HandleFunc implements httpin.Mux.
func (c *routeCollector) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	method, path, _ := strings.Cut(pattern, " ")
	*c = append(*c, Route{Method: method, Path: path, Handler: h})
}
