package httpin

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// serveNDJSON handles POST /api/v1/ingest: one JSON object (or array of
// objects, which the json format splits) per line,
// parsed by the "json" format; with ?format=NAME each line is a raw record
// for that parser. The request is all or nothing: a line that is not a JSON
// object fails it with 400 before anything is submitted.
func (h *Handler) serveNDJSON(w http.ResponseWriter, r *http.Request) {
	p, err := h.auth(r)
	if err != nil {
		h.metrics.Component("source", h.cfg.Source).Errors.Inc()
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
		writeError(w, http.StatusUnauthorized, err.Error())
		return
	}
	tel := h.metrics.Component("source", p.source)
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	} else if format != "json" && format != "auto" && !slices.Contains(parse.Names(), format) {
		tel.Errors.Inc()
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown format %q (known: %v)", format, parse.Names()))
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		tel.Errors.Inc()
		writeError(w, bodyStatus(err), err.Error())
		return
	}
	bb := &batchBuilder{p: p, format: format, now: time.Now()}
	occ := event.NewOccurrences(0)
	n, err := splitNDJSON(body, format == "json", func(line []byte) { bb.addRecord(line, r.RemoteAddr, occ.Next(line)) })
	if err != nil {
		tel.Errors.Inc()
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if n == 0 {
		tel.Errors.Inc()
		writeError(w, http.StatusBadRequest, "no records in the body")
		return
	}
	tel.Received.Add(float64(n))
	tel.ReceivedBytes.Add(float64(len(body)))
	if err := firstErr(h.submitAll(r.Context(), bb.batches)); err != nil {
		tel.Errors.Inc()
		h.log.Error("ingest request not stored", "records", n, "err", err)
		writeError(w, http.StatusServiceUnavailable, "not stored, send again: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"accepted": n})
}

// splitNDJSON calls fn for every non-blank line of body (CR before LF
// trimmed). With objects set, each line must be one JSON object; the first
// that is not fails the whole body, before fn sees any line after it.
func splitNDJSON(body []byte, objects bool, fn func(line []byte)) (int, error) {
	if objects {
		// Validate everything first so a bad line rejects the request
		// before any of it is submitted.
		if _, err := forLines(body, func(no int, line []byte) error {
			if !isObject(line) && !isObjectArray(line) {
				return fmt.Errorf("line %d: not a JSON object or an array of objects", no)
			}
			return nil
		}); err != nil {
			return 0, err
		}
	}
	return forLines(body, func(_ int, line []byte) error { fn(line); return nil })
}

// forLines calls fn for each non-blank line with its 1-based number.
func forLines(body []byte, fn func(no int, line []byte) error) (int, error) {
	n, no := 0, 0
	for len(body) > 0 {
		no++
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(no, line); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// isObject reports whether line is exactly one valid JSON object.
func isObject(line []byte) bool {
	s := scanner{data: line}
	s.ws()
	if s.peek() != '{' {
		return false
	}
	if _, err := s.skip(0); err != nil {
		return false
	}
	s.ws()
	return s.pos == len(s.data)
}

// isObjectArray reports whether line is exactly one JSON array of objects
// (Auth0 log streams and other webhook senders post their batches so): the
// json format splits it into one record per object.
func isObjectArray(line []byte) bool {
	s := scanner{data: line}
	s.ws()
	if s.peek() != '[' {
		return false
	}
	s.pos++
	s.ws()
	if s.peek() == ']' {
		s.pos++
	} else {
		for {
			s.ws()
			if s.peek() != '{' {
				return false
			}
			if _, err := s.skip(1); err != nil {
				return false
			}
			s.ws()
			if s.peek() == ',' {
				s.pos++
				continue
			}
			if s.peek() != ']' {
				return false
			}
			s.pos++
			break
		}
	}
	s.ws()
	return s.pos == len(s.data)
}

// bodyStatus is the HTTP status for an error of readBody.
func bodyStatus(err error) int {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errBadContentCode):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, errBudget):
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}
