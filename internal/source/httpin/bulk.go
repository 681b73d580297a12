package httpin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// BulkItem is one action of an Elasticsearch bulk body.
type BulkItem struct {
	// Action is index, create, delete or update.
	Action string
	Index  string
	ID     string
	// Doc is the source line of index and create (the update body for
	// update), nil for delete.
	Doc []byte
	// Line is the 1-based line of the action.
	Line int
}

// errBulk marks a body that is not a bulk body at all (Elasticsearch
// answers those with 400 for the whole request).
var errBulk = errors.New("malformed bulk body")

// DecodeBulk reads an NDJSON bulk body: action lines ({"index":{…}},
// {"create":{…}}, {"delete":{…}}, {"update":{…}}), each but delete
// followed by its source line. defaultIndex is the {index} of the path.
// It calls fn for each item in order; an action line that is not one of
// these, or a missing source line, is an error wrapping errBulk for the
// whole body, as in Elasticsearch.
func DecodeBulk(body []byte, defaultIndex string, fn func(it BulkItem) error) (int, error) {
	no, n := 0, 0
	next := func() ([]byte, bool) {
		for len(body) > 0 {
			no++
			line := body
			if i := bytes.IndexByte(body, '\n'); i >= 0 {
				line, body = body[:i], body[i+1:]
			} else {
				body = nil
			}
			line = bytes.TrimSpace(line)
			if len(line) > 0 {
				return line, true
			}
		}
		return nil, false
	}
	for {
		line, ok := next()
		if !ok {
			return n, nil
		}
		it, err := parseAction(line)
		if err != nil {
			return n, fmt.Errorf("%w: line %d: malformed action/metadata line, want one of index, create, delete, update: %v", errBulk, no, err)
		}
		it.Line = no
		if it.Index == "" {
			it.Index = defaultIndex
		}
		switch it.Action {
		case "index", "create", "update":
			doc, ok := next()
			if !ok {
				return n, fmt.Errorf("%w: line %d: %s action without a source line", errBulk, it.Line, it.Action)
			}
			it.Doc = doc
		case "delete":
		default:
			return n, fmt.Errorf("%w: line %d: unknown action %q, want index, create, delete or update", errBulk, no, it.Action)
		}
		if err := fn(it); err != nil {
			return n, err
		}
		n++
	}
}

// parseAction reads {"ACTION":{"_index":…,"_id":…,…}}; other metadata
// (routing, pipeline, _type, require_alias, …) is ignored.
func parseAction(line []byte) (BulkItem, error) {
	var it BulkItem
	s := scanner{data: line}
	if err := s.expect('{'); err != nil {
		return it, err
	}
	action, err := s.str()
	if err != nil {
		return it, err
	}
	if err := s.expect(':'); err != nil {
		return it, err
	}
	if err := s.expect('{'); err != nil {
		return it, err
	}
	s.ws()
	if s.peek() == '}' {
		s.pos++
	} else {
		for {
			key, err := s.str()
			if err != nil {
				return it, err
			}
			if err := s.expect(':'); err != nil {
				return it, err
			}
			switch key {
			case "_index", "_id":
				v, err := s.value(1)
				if err != nil {
					return it, err
				}
				if v.Kind() != event.KindString && !v.IsNull() {
					return it, fmt.Errorf("%s: want a string", key)
				}
				if key == "_index" {
					it.Index = v.Str()
				} else {
					it.ID = v.Str()
				}
			default:
				if _, err := s.skip(1); err != nil {
					return it, err
				}
			}
			s.ws()
			if s.peek() == ',' {
				s.pos++
				s.ws()
				continue
			}
			if err := s.expect('}'); err != nil {
				return it, err
			}
			break
		}
	}
	if err := s.expect('}'); err != nil {
		return it, errors.New("want exactly one action")
	}
	s.ws()
	if s.pos != len(s.data) {
		return it, errors.New("data after the action")
	}
	it.Action = action
	return it, nil
}

// bulkResult is one item of the bulk response.
type bulkResult struct {
	action string
	Index  string          `json:"_index"`
	ID     string          `json:"_id,omitempty"`
	Ver    int             `json:"_version,omitempty"`
	Result string          `json:"result,omitempty"`
	Shards *bulkShards     `json:"_shards,omitempty"`
	SeqNo  *int            `json:"_seq_no,omitempty"`
	Term   int             `json:"_primary_term,omitempty"`
	Status int             `json:"status"`
	Error  *elasticErrBody `json:"error,omitempty"`
}

type bulkShards struct {
	Total      int `json:"total"`
	Successful int `json:"successful"`
	Failed     int `json:"failed"`
}

type elasticErrBody struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

// docEvent turns one source document into an event: its members
// flattened, event.original the document, elastic.index the index. Its id
// comes from the document's _id when it has one, else from its bytes and
// occurrence (the identical documents before it in the request).
func docEvent(p principal, index, id string, occurrence int, doc []byte) (*event.Event, error) {
	e := &event.Event{Original: string(doc)}
	if err := flattenObject(e, doc); err != nil {
		return nil, err
	}
	e.SetString("elastic.index", index)
	e.Tenant, e.Source = p.tenant, p.source
	position := ""
	if id != "" {
		// An _id names the document: sent twice, it is the same document.
		position, occurrence = "elastic:"+index+"/"+id, 0
	}
	e.ID = event.NewID(p.tenant, p.source, position, occurrence, doc)
	return e, nil
}

func (h *Handler) serveBulk(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	p, err := h.auth(r)
	if err != nil {
		h.metrics.Component("source", h.cfg.Source).Errors.Inc()
		writeElasticError(w, http.StatusUnauthorized, "security_exception", err.Error())
		return
	}
	tel := h.metrics.Component("source", p.source)
	body, err := h.readBody(w, r)
	if err != nil {
		tel.Errors.Inc()
		writeElasticError(w, bodyStatus(err), "parse_exception", err.Error())
		return
	}
	bb := &batchBuilder{p: p, now: start}
	occ := event.NewOccurrences(0)
	var results []bulkResult
	var batchOf []int // per result: its batch, or -1
	n, err := DecodeBulk(body, r.PathValue("index"), func(it BulkItem) error {
		res := bulkResult{action: it.Action, Index: it.Index, ID: it.ID}
		batch := -1
		switch it.Action {
		case "index", "create":
			e, err := docEvent(p, it.Index, it.ID, occ.Next(it.Doc), it.Doc)
			if err != nil {
				res.Status = http.StatusBadRequest
				res.Error = &elasticErrBody{Type: "document_parsing_exception", Reason: fmt.Sprintf("[%d:1] failed to parse: %v", it.Line+1, err)}
				break
			}
			if res.ID == "" {
				res.ID = e.ID
			}
			batch = bb.addEvent(e, len(it.Doc))
		default:
			res.Status = http.StatusBadRequest
			res.Error = &elasticErrBody{Type: "action_request_validation_exception",
				Reason: fmt.Sprintf("Validation Failed: 1: vigil stores events append-only; %s is not supported;", it.Action)}
		}
		results = append(results, res)
		batchOf = append(batchOf, batch)
		return nil
	})
	if err != nil {
		tel.Errors.Inc()
		writeElasticError(w, http.StatusBadRequest, "illegal_argument_exception", err.Error())
		return
	}
	if n == 0 {
		tel.Errors.Inc()
		writeElasticError(w, http.StatusBadRequest, "action_request_validation_exception", "Validation Failed: 1: no requests added;")
		return
	}
	accepted := 0
	for _, b := range bb.batches {
		accepted += len(b.Events)
	}
	tel.Received.Add(float64(accepted))
	tel.ReceivedBytes.Add(float64(len(body)))
	errs := h.submitAll(r.Context(), bb.batches)
	anyErr := false
	seq := 0
	for i := range results {
		res := &results[i]
		if b := batchOf[i]; b >= 0 {
			if errs[b] != nil {
				res.Status = http.StatusServiceUnavailable
				res.Error = &elasticErrBody{Type: "unavailable_shards_exception", Reason: "not stored, send again: " + errs[b].Error()}
			} else {
				res.Status, res.Result, res.Ver, res.Term = http.StatusCreated, "created", 1, 1
				res.Shards = &bulkShards{Total: 1, Successful: 1}
				s := seq
				res.SeqNo = &s
				seq++
			}
		}
		if res.Error != nil {
			anyErr = true
		}
	}
	if err := firstErr(errs); err != nil {
		tel.Errors.Inc()
		h.log.Error("bulk request not stored", "err", err)
	}
	writeBulkResponse(w, time.Since(start), anyErr, results)
}

// writeBulkResponse writes {"took":…,"errors":…,"items":[{"create":{…}},…]}.
func writeBulkResponse(w http.ResponseWriter, took time.Duration, anyErr bool, results []bulkResult) {
	buf := make([]byte, 0, 64+len(results)*160)
	buf = fmt.Appendf(buf, `{"took":%d,"errors":%t,"items":[`, took.Milliseconds(), anyErr)
	for i := range results {
		if i > 0 {
			buf = append(buf, ',')
		}
		item, _ := json.Marshal(&results[i])
		buf = append(buf, '{')
		buf = event.AppendJSONString(buf, results[i].action)
		buf = append(buf, ':')
		buf = append(buf, item...)
		buf = append(buf, '}')
	}
	buf = append(buf, "]}\n"...)
	elasticHeaders(w)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

// serveDoc handles POST /{index}/_doc: one document.
func (h *Handler) serveDoc(w http.ResponseWriter, r *http.Request) {
	p, err := h.auth(r)
	if err != nil {
		h.metrics.Component("source", h.cfg.Source).Errors.Inc()
		writeElasticError(w, http.StatusUnauthorized, "security_exception", err.Error())
		return
	}
	tel := h.metrics.Component("source", p.source)
	body, err := h.readBody(w, r)
	if err != nil {
		tel.Errors.Inc()
		writeElasticError(w, bodyStatus(err), "parse_exception", err.Error())
		return
	}
	index := r.PathValue("index")
	e, err := docEvent(p, index, "", 0, bytes.TrimSpace(body))
	if err != nil {
		tel.Errors.Inc()
		writeElasticError(w, http.StatusBadRequest, "document_parsing_exception", "failed to parse: "+err.Error())
		return
	}
	tel.Received.Inc()
	tel.ReceivedBytes.Add(float64(len(body)))
	b := &pipeline.Batch{Tenant: p.tenant, Source: p.source, Received: time.Now(), Events: []*event.Event{e}}
	if err := pipeline.SubmitWait(r.Context(), h.in, b); err != nil {
		tel.Errors.Inc()
		writeElasticError(w, http.StatusServiceUnavailable, "unavailable_shards_exception", "not stored, send again: "+err.Error())
		return
	}
	seq := 0
	res := bulkResult{Index: index, ID: e.ID, Ver: 1, Result: "created", Shards: &bulkShards{Total: 1, Successful: 1}, SeqNo: &seq, Term: 1}
	elasticHeaders(w)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(&res)
}
