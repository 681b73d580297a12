package httpin

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// HEC status codes and texts, as Splunk documents them for
// /services/collector ("Troubleshoot HTTP Event Collector").
const (
	hecSuccess         = 0
	hecTokenRequired   = 2
	hecInvalidAuth     = 3
	hecInvalidToken    = 4
	hecNoData          = 5
	hecInvalidFormat   = 6
	hecInternalError   = 8
	hecServerBusy      = 9
	hecEventRequired   = 12
	hecEventBlank      = 13
	hecAckDisabled     = 14
	hecIndexedFields   = 15
	hecQueryStringAuth = 16
	hecHealthy         = 17
)

var hecText = map[int]string{
	hecSuccess: "Success", hecTokenRequired: "Token is required", hecInvalidAuth: "Invalid authorization",
	hecInvalidToken: "Invalid token", hecNoData: "No data", hecInvalidFormat: "Invalid data format",
	hecInternalError: "Internal server error", hecServerBusy: "Server is busy",
	hecEventRequired: "Event field is required", hecEventBlank: "Event field cannot be blank",
	hecAckDisabled: "ACK is disabled", hecIndexedFields: "Error in handling indexed fields",
	hecQueryStringAuth: "Query string authorization is not enabled", hecHealthy: "HEC is healthy",
}

var hecStatus = map[int]int{
	hecSuccess: 200, hecTokenRequired: 401, hecInvalidAuth: 401, hecInvalidToken: 403, hecNoData: 400,
	hecInvalidFormat: 400, hecInternalError: 500, hecServerBusy: 503, hecEventRequired: 400, hecEventBlank: 400,
	hecAckDisabled: 400, hecIndexedFields: 400, hecQueryStringAuth: 400, hecHealthy: 200,
}

// HECError is a HEC decoding error: its code and the index of the event
// (0-based, as Splunk's "invalid-event-number") that caused it.
type HECError struct {
	Code  int
	Event int
	Err   error
}

func (e *HECError) Error() string {
	return fmt.Sprintf("hec event %d: %s: %v", e.Event, hecText[e.Code], e.Err)
}

func (e *HECError) Unwrap() error { return e.Err }

// HECMeta is the metadata of HEC events: the values a request's query
// string gives, overridden per event by the event's own.
type HECMeta struct {
	Host, Source, Sourcetype, Index string
}

// MaxHECEvents bounds the events of one HEC request. The body is bounded
// by max_body_bytes and the ingest memory budget, but each event costs
// memory beyond its bytes (a record or event, its fields) until the whole
// request is durable, so a body of tiny events ({"event":"a"} is 13 bytes)
// would cost many times its size: 100,000 events are a request of 100
// batches, far above what shippers send at once (Splunk's own forwarders
// and the OpenTelemetry exporter batch by a few MB).
const MaxHECEvents = 100_000

// HECEvent is one event of a HEC body: a string event is a raw record
// (Text), which the pipeline parses as any record of its format; any
// other event value is an event built here (Event).
type HECEvent struct {
	// Event is what an object, number, array or boolean event made, with
	// the metadata set on it; nil for a string event.
	Event *event.Event
	// Text is a string event's text; Format the parser its sourcetype
	// names when that is one Vigil has, else "" (auto); Fields the HEC
	// metadata, for the fields the parsed record leaves unset; Time HEC's
	// time, zero when the event has none.
	Text   []byte
	Format string
	Fields []event.Field
	Time   time.Time
	// Raw is the event's object in the body (what an Event's id is made of).
	Raw []byte
}

// DecodeHEC decodes a HEC event body — JSON event objects, concatenated
// with or without whitespace between them — calling fn with each event in
// turn, at most MaxHECEvents (the next is a *HECError). The mapping:
//
//	event (string)   → a raw record (HECEvent.Text): parsed with the format
//	                   its sourcetype names (cef, json, rfc3164 …; else
//	                   auto) and normalised by the pipeline that matches
//	                   it, as Splunk parses an event by its sourcetype;
//	                   when the string is not valid UTF-8,
//	                   vigil.original_base64 holds its bytes exactly as the
//	                   body has them (JSON escapes included)
//	event (object)   → its members flattened (nested objects as dotted
//	                   names; envelope names such as vigil.tenant or
//	                   event.id become json.<name>: an event never chooses
//	                   its tenant, source or id), event.original = the
//	                   object's JSON
//	event (other)    → message = its JSON text
//	time             → @timestamp (epoch seconds, fraction allowed; a
//	                   number or a numeric string), over the time the
//	                   parser found in a string event (a pipeline that
//	                   reads the record's own time field sets it again)
//	host             → host.name (of a string event: unless the record
//	                   names its host, as a syslog header does)
//	source           → splunk.source
//	sourcetype       → splunk.sourcetype
//	index            → splunk.index
//	fields.NAME      → labels.NAME (strings, numbers, booleans or arrays;
//	                   an object is HEC error 15)
//
// Other members are ignored, as Splunk does. What fn receives is fresh
// and owned by fn. Decoding stops at the first bad event with a
// *HECError naming it.
func DecodeHEC(body []byte, meta HECMeta, fn func(ev *HECEvent) error) (int, error) {
	s := scanner{data: body}
	n := 0
	for {
		s.ws()
		if s.pos >= len(s.data) {
			return n, nil
		}
		if n >= MaxHECEvents {
			return n, &HECError{Code: hecInvalidFormat, Event: n, Err: errTooManyEvents}
		}
		start := s.pos
		ev, err := s.hecEvent(meta)
		if err != nil {
			var he *HECError
			if errors.As(err, &he) {
				he.Event = n
				return n, he
			}
			return n, &HECError{Code: hecInvalidFormat, Event: n, Err: err}
		}
		ev.Raw = s.data[start:s.pos]
		if err := fn(ev); err != nil {
			return n, err
		}
		n++
	}
}

// errTooManyEvents is the error of the event after MaxHECEvents.
var errTooManyEvents = fmt.Errorf("more than %d events in one request", MaxHECEvents)

// hecEvent reads one event object.
func (s *scanner) hecEvent(meta HECMeta) (*HECEvent, error) {
	if s.peek() != '{' {
		return nil, s.errorf("want an event object")
	}
	s.pos++
	var evRaw, timeRaw, fieldsRaw []byte
	m := meta
	s.ws()
	if s.peek() == '}' {
		s.pos++
	} else {
		for {
			key, err := s.str()
			if err != nil {
				return nil, err
			}
			if err := s.expect(':'); err != nil {
				return nil, err
			}
			var dst *string
			switch key {
			case "event":
				evRaw, err = s.skip(1)
			case "time":
				timeRaw, err = s.skip(1)
			case "fields":
				fieldsRaw, err = s.skip(1)
			case "host":
				dst = &m.Host
			case "source":
				dst = &m.Source
			case "sourcetype":
				dst = &m.Sourcetype
			case "index":
				dst = &m.Index
			default:
				_, err = s.skip(1)
			}
			if dst != nil {
				var v event.Value
				v, err = s.value(1)
				switch {
				case err != nil:
				case v.Kind() == event.KindString:
					*dst = v.Str()
				case !v.IsNull():
					err = fmt.Errorf("%s: want a string", key)
				}
			}
			if err != nil {
				return nil, err
			}
			s.ws()
			if s.peek() == ',' {
				s.pos++
				s.ws()
				continue
			}
			if err := s.expect('}'); err != nil {
				return nil, err
			}
			break
		}
	}
	if len(evRaw) == 0 || string(evRaw) == "null" {
		return nil, &HECError{Code: hecEventRequired, Err: errors.New("no event field")}
	}
	ev := &HECEvent{}
	if len(timeRaw) > 0 && string(timeRaw) != "null" {
		ts, err := hecTime(timeRaw)
		if err != nil {
			return nil, err
		}
		ev.Time = ts
	}
	if evRaw[0] == '"' {
		es := scanner{data: evRaw}
		str, err := es.str()
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(str) == "" {
			return nil, &HECError{Code: hecEventBlank, Err: errors.New("empty event")}
		}
		ev.Text = []byte(str)
		if !utf8.Valid(evRaw) {
			// str has U+FFFD for the invalid bytes: keep them exactly.
			ev.Fields = append(ev.Fields, event.Field{Name: event.FieldOriginalBase64,
				Value: event.String(base64.StdEncoding.EncodeToString(evRaw[1 : len(evRaw)-1]))})
		}
		if m.Sourcetype != "" && parserNames()[m.Sourcetype] {
			ev.Format = m.Sourcetype
		}
		ev.Fields = m.appendFields(ev.Fields)
		if len(fieldsRaw) > 0 && string(fieldsRaw) != "null" {
			e := &event.Event{}
			if err := hecFields(e, fieldsRaw); err != nil {
				return nil, &HECError{Code: hecIndexedFields, Err: err}
			}
			ev.Fields = append(ev.Fields, e.Fields...)
		}
		return ev, nil
	}
	e := &event.Event{}
	switch evRaw[0] {
	case '{':
		if len(bytes.TrimSpace(evRaw[1:len(evRaw)-1])) == 0 {
			return nil, &HECError{Code: hecEventBlank, Err: errors.New("empty event object")}
		}
		e.Original = string(evRaw)
		if err := flattenObject(e, evRaw); err != nil {
			return nil, err
		}
	default:
		e.Original = string(evRaw)
		e.Append(event.FieldMessage, event.String(e.Original))
	}
	if !ev.Time.IsZero() {
		e.Timestamp = ev.Time
		ev.Time = time.Time{}
	}
	for _, f := range m.appendFields(nil) {
		e.Set(f.Name, f.Value)
	}
	if len(fieldsRaw) > 0 && string(fieldsRaw) != "null" {
		if err := hecFields(e, fieldsRaw); err != nil {
			return nil, &HECError{Code: hecIndexedFields, Err: err}
		}
	}
	ev.Event = e
	return ev, nil
}

// parserNames is the set of parse.Names, built once: every parser has
// registered itself by the time a request comes.
var parserNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range parse.Names() {
		m[n] = true
	}
	return m
})

// appendFields appends the metadata that is set as fields.
func (m HECMeta) appendFields(dst []event.Field) []event.Field {
	for _, f := range [...]struct{ name, v string }{{"host.name", m.Host}, {"splunk.source", m.Source},
		{"splunk.sourcetype", m.Sourcetype}, {"splunk.index", m.Index}} {
		if f.v != "" {
			dst = append(dst, event.Field{Name: f.name, Value: event.String(f.v)})
		}
	}
	return dst
}

// hecFields sets the indexed fields as labels.NAME.
func hecFields(e *event.Event, raw []byte) error {
	s := scanner{data: raw}
	if s.peek() != '{' {
		return errors.New("fields: want an object")
	}
	s.pos++
	s.ws()
	if s.peek() == '}' {
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		s.ws()
		if s.peek() == '{' {
			return fmt.Errorf("fields.%s: an object is not an indexed field value", key)
		}
		v, err := s.value(1)
		if err != nil {
			return err
		}
		if !v.IsNull() && key != "" {
			e.Set("labels."+key, v)
		}
		s.ws()
		if s.peek() == ',' {
			s.pos++
			s.ws()
			continue
		}
		return s.expect('}')
	}
}

// hecTime parses HEC's time: epoch seconds as a number or numeric string.
func hecTime(raw []byte) (time.Time, error) {
	s := string(raw)
	if raw[0] == '"' {
		sc := scanner{data: raw}
		var err error
		if s, err = sc.str(); err != nil {
			return time.Time{}, err
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 1e17 {
		return time.Time{}, fmt.Errorf("time %s: want epoch seconds", raw)
	}
	return event.EpochTime(f), nil
}

// writeHEC answers in HEC's format.
func writeHEC(w http.ResponseWriter, code int, invalidEvent int) {
	body := map[string]any{"text": hecText[code], "code": code}
	if invalidEvent >= 0 {
		body["invalid-event-number"] = invalidEvent
	}
	writeJSON(w, hecStatus[code], body)
}

// hecAuthCode maps an authentication error to its HEC code.
func hecAuthCode(err error) int {
	switch {
	case errors.Is(err, errQueryToken):
		return hecQueryStringAuth
	case errors.Is(err, errNoCredentials):
		return hecTokenRequired
	case errors.Is(err, errBadScheme):
		return hecInvalidAuth
	}
	return hecInvalidToken
}

func hecMeta(r *http.Request) HECMeta {
	q := r.URL.Query()
	return HECMeta{Host: q.Get("host"), Source: q.Get("source"), Sourcetype: q.Get("sourcetype"), Index: q.Get("index")}
}

func (h *Handler) serveHECEvent(w http.ResponseWriter, r *http.Request) {
	p, err := h.authHEC(r)
	if err != nil {
		h.metrics.Component("source", h.cfg.Source).Errors.Inc()
		writeHEC(w, hecAuthCode(err), -1)
		return
	}
	tel := h.metrics.Component("source", p.source)
	body, err := h.readBody(w, r)
	if err != nil {
		tel.Errors.Inc()
		if errors.Is(err, errBodyTooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"text": "Content too large", "code": hecInvalidFormat})
			return
		}
		if errors.Is(err, errBudget) {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"text": "Server is busy", "code": hecServerBusy})
			return
		}
		writeHEC(w, hecInvalidFormat, -1)
		return
	}
	bb := &batchBuilder{p: p, now: time.Now()}
	occ := event.NewOccurrences(0)
	n, err := DecodeHEC(body, hecMeta(r), func(ev *HECEvent) error {
		if ev.Event == nil {
			// Occurrences count the text: the same text twice (from two
			// hosts, say) makes two events, and a retried request the
			// same ids.
			bb.addTextRecord(ev, r.RemoteAddr, occ.Next(ev.Text))
			return nil
		}
		ev.Event.ID = event.NewID(p.tenant, p.source, "", occ.Next(ev.Raw), ev.Raw)
		bb.addEvent(ev.Event, len(ev.Raw))
		return nil
	})
	if err != nil {
		tel.Errors.Inc()
		var he *HECError
		if errors.As(err, &he) {
			if errors.Is(err, errTooManyEvents) {
				writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"text": "Content too large: " + errTooManyEvents.Error(),
					"code": hecInvalidFormat, "invalid-event-number": he.Event})
				return
			}
			writeHEC(w, he.Code, he.Event)
			return
		}
		writeHEC(w, hecInvalidFormat, n)
		return
	}
	if n == 0 {
		tel.Errors.Inc()
		writeHEC(w, hecNoData, -1)
		return
	}
	tel.Received.Add(float64(n))
	tel.ReceivedBytes.Add(float64(len(body)))
	if err := firstErr(h.submitAll(r.Context(), bb.batches)); err != nil {
		tel.Errors.Inc()
		h.log.Error("hec request not stored", "events", n, "err", err)
		writeHEC(w, hecServerBusy, -1)
		return
	}
	writeHEC(w, hecSuccess, -1)
}

// serveHECRaw handles /services/collector/raw: each line of the body is a
// raw record. The parser is ?format=, else the sourcetype when it names a
// known format, else "auto". Query parameters host, source, sourcetype and
// index become host.name and splunk.* fields; channel is accepted and not
// needed (Vigil has no indexer acknowledgement: the answer itself comes
// only once the events are durable).
func (h *Handler) serveHECRaw(w http.ResponseWriter, r *http.Request) {
	p, err := h.authHEC(r)
	if err != nil {
		h.metrics.Component("source", h.cfg.Source).Errors.Inc()
		writeHEC(w, hecAuthCode(err), -1)
		return
	}
	tel := h.metrics.Component("source", p.source)
	meta := hecMeta(r)
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "auto"
		if slices.Contains(parse.Names(), meta.Sourcetype) {
			format = meta.Sourcetype
		}
	} else if format != "auto" && !slices.Contains(parse.Names(), format) {
		tel.Errors.Inc()
		writeHEC(w, hecInvalidFormat, -1)
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		tel.Errors.Inc()
		if errors.Is(err, errBodyTooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"text": "Content too large", "code": hecInvalidFormat})
			return
		}
		if errors.Is(err, errBudget) {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"text": "Server is busy", "code": hecServerBusy})
			return
		}
		writeHEC(w, hecInvalidFormat, -1)
		return
	}
	var fields []event.Field
	for _, f := range []struct{ name, v string }{{"host.name", meta.Host}, {"splunk.source", meta.Source},
		{"splunk.sourcetype", meta.Sourcetype}, {"splunk.index", meta.Index}} {
		if f.v != "" {
			fields = append(fields, event.Field{Name: f.name, Value: event.String(f.v)})
		}
	}
	bb := &batchBuilder{p: p, format: format, fields: fields, now: time.Now()}
	occ := event.NewOccurrences(0)
	n, _ := forLines(body, func(_ int, line []byte) error { bb.addRecord(line, r.RemoteAddr, occ.Next(line)); return nil })
	if n == 0 {
		tel.Errors.Inc()
		writeHEC(w, hecNoData, -1)
		return
	}
	tel.Received.Add(float64(n))
	tel.ReceivedBytes.Add(float64(len(body)))
	if err := firstErr(h.submitAll(r.Context(), bb.batches)); err != nil {
		tel.Errors.Inc()
		h.log.Error("hec raw request not stored", "records", n, "err", err)
		writeHEC(w, hecServerBusy, -1)
		return
	}
	writeHEC(w, hecSuccess, -1)
}

func (h *Handler) serveHECHealth(w http.ResponseWriter, _ *http.Request) {
	writeHEC(w, hecHealthy, -1)
}

// serveHECAck answers that indexer acknowledgement is off: Vigil answers a
// request only once its events are durable, so there is nothing to poll.
func (h *Handler) serveHECAck(w http.ResponseWriter, r *http.Request) {
	if _, err := h.authHEC(r); err != nil {
		writeHEC(w, hecAuthCode(err), -1)
		return
	}
	writeHEC(w, hecAckDisabled, -1)
}
