package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error answer is read into an error:
// ClickHouse's messages are a line or two, with a stack trace at most.
const maxErrorBody = 4 << 10

// maxResultBody bounds one query's answer: store.MaxLimit rows of events of
// a few KB each, or a table of as many rows, stay well below it.
const maxResultBody = 256 << 20

// client sends SQL to ClickHouse's HTTP interface.
type client struct {
	base     *url.URL
	user     string
	password string
	http     *http.Client
	// insertSettings are sent with every insert (URL parameters).
	insertSettings url.Values
}

// exec runs a statement that returns nothing (DDL, ALTER, SET-free).
func (c *client) exec(ctx context.Context, sql string) error {
	body, err := c.do(ctx, nil, strings.NewReader(sql))
	if err != nil {
		return err
	}
	return body.Close()
}

// insert sends rows in JSONEachRow to INSERT INTO table.
func (c *client) insert(ctx context.Context, table string, rows []byte) error {
	q := url.Values{"query": {"INSERT INTO " + table + " FORMAT JSONEachRow"}}
	for k, v := range c.insertSettings {
		q[k] = v
	}
	body, err := c.do(ctx, q, bytes.NewReader(rows))
	if err != nil {
		return err
	}
	return body.Close()
}

// result is a JSONCompact answer.
type result struct {
	Meta []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"meta"`
	Data [][]json.RawMessage `json:"data"`
}

// codeTimeoutExceeded is ClickHouse's TIMEOUT_EXCEEDED error code.
const codeTimeoutExceeded = 159

type maxExecKey struct{}

type recordsKey struct{}

// forRecords marks the queries of ctx as reads of the record tables
// (alerts, incidents, dashboards…), which are ReplacingMergeTree tables
// read with FINAL and filtered on columns that change between versions of
// a row: optimize_move_to_prewhere is turned off for them, because a
// PREWHERE applied before FINAL would keep a row's older version that
// matches where its current one does not (some releases did; 18.16.1 does
// not here: TestFilterOnChangedColumn).
func forRecords(ctx context.Context) context.Context {
	return context.WithValue(ctx, recordsKey{}, true)
}

// withMaxExecutionTime makes the queries run with ctx stop on the server
// after d too (max_execution_time, whole seconds, at least 1).
func withMaxExecutionTime(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, maxExecKey{}, max(1, int64((d+time.Second-1)/time.Second)))
}

// query runs a SELECT and decodes its JSONCompact answer.
func (c *client) query(ctx context.Context, sql string) (*result, error) {
	q := url.Values{
		// Integers as JSON numbers, not quoted strings.
		"output_format_json_quote_64bit_integers": {"0"},
	}
	if ctx.Value(recordsKey{}) != nil {
		q.Set("optimize_move_to_prewhere", "0")
	}
	if secs, ok := ctx.Value(maxExecKey{}).(int64); ok {
		q.Set("max_execution_time", strconv.FormatInt(secs, 10))
	}
	body, err := c.do(ctx, q, strings.NewReader(sql+" FORMAT JSONCompact"))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var res result
	d := json.NewDecoder(io.LimitReader(body, maxResultBody))
	d.UseNumber()
	if err := d.Decode(&res); err != nil {
		return nil, fmt.Errorf("decode clickhouse answer: %w", err)
	}
	return &res, nil
}

// do POSTs a body with the URL parameters q and returns the answer's body.
// The password goes in a header, never in the URL, so that no error or log
// line carries it.
func (c *client) do(ctx context.Context, q url.Values, body io.Reader) (io.ReadCloser, error) {
	u := *c.base
	if q == nil {
		q = url.Values{}
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("make clickhouse request: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if c.user != "" || c.password != "" {
		req.SetBasicAuth(c.user, c.password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("send to clickhouse at %s: %w", c.base.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &ServerError{Status: resp.StatusCode, Message: strings.TrimSpace(string(msg))}
	}
	return resp.Body, nil
}

// ServerError is an error answer of ClickHouse.
type ServerError struct {
	Status  int
	Message string
}

// Code is ClickHouse's error code from the message ("Code: 62, …"), or 0.
func (e *ServerError) Code() int {
	rest, ok := strings.CutPrefix(e.Message, "Code: ")
	if !ok {
		return 0
	}
	n, _, _ := strings.Cut(rest, ",")
	code, _ := strconv.Atoi(n)
	return code
}

func (e *ServerError) Error() string {
	return "clickhouse answered " + strconv.Itoa(e.Status) + ": " + e.Message
}
