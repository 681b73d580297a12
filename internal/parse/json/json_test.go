package json

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

func TestParse(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			if err := New().Parse([]byte(in), e); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsetest.Check(t, e, in)
			parsetest.Equal(t, e, want)
		})
	}
	f(`{}`, `{}`)
	f(` {"a":1} `+"\n", `{"a":1}`)
	f(`{"source":{"ip":"10.0.0.1","port":443},"user.name":"bob"}`, `{"source.ip":"10.0.0.1","source.port":443,"user.name":"bob"}`)
	f(`{"a":{"b":{"c":{}}},"d":{"e":null}}`, `{}`)
	f(`{"i":-12,"f":1.5,"e":1e3,"z":1.0,"big":12345678901234567890,"t":true,"n":null,"s":""}`, `{"i":-12,"f":1.5,"e":1000,"z":1,"big":12345678901234567000,"t":true,"s":""}`)
	f(`{"tags":["a","b",1,2.5,true,null],"objs":[{"x":1},{"y":[2]}],"nested":[[1,2]],"empty":[]}`,
		`{"tags":["a","b","1","2.5","true"],"objs":["{\"x\":1}","{\"y\":[2]}"],"nested":["[1,2]"],"empty":[]}`)
	f(`{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x"}`, `{"s":"a\"b\\c/d\n\u00e9\ud83d\ude00\ufffdx"}`)
	f("{\"s\":\"\xff\"}", `{"s":"\ufffd"}`)
	// Timestamps.
	f(`{"@timestamp":"2026-11-23T10:20:30.5+01:00","a":1}`, `{"@timestamp":"2026-11-23T09:20:30.5Z","a":1}`)
	f(`{"@timestamp":1764000000}`, `{"@timestamp":"2025-11-24T16:00:00Z"}`)
	f(`{"@timestamp":1764000000123}`, `{"@timestamp":"2025-11-24T16:00:00.123Z"}`)
	f(`{"@timestamp":"1764000000.5"}`, `{"@timestamp":"2025-11-24T16:00:00.5Z"}`)
	f(`{"@timestamp":"2026-11-23 10:20:30"}`, `{"@timestamp":"2026-11-23T10:20:30Z"}`)
	f(`{"@timestamp":"yesterday"}`, `{"json.@timestamp":"yesterday"}`)
	f(`{"@timestamp":true}`, `{"json.@timestamp":true}`)
	f(`{"ts":1764000000,"time":"2026-01-01T00:00:00Z"}`, `{"@timestamp":"2026-01-01T00:00:00Z","ts":1764000000,"time":"2026-01-01T00:00:00Z"}`)
	f(`{"timestamp":"bad","ts":1764000000}`, `{"@timestamp":"2025-11-24T16:00:00Z","timestamp":"bad","ts":1764000000}`)
	f(`{"x":{"ts":1764000000}}`, `{"x.ts":1764000000}`)
	// The time fields of Windows, cloud and application logs.
	f(`{"TimeCreated":"2020-10-19 10:46:42.027","EventID":1102}`, `{"@timestamp":"2020-10-19T10:46:42.027Z","TimeCreated":"2020-10-19 10:46:42.027","EventID":1102}`)
	f(`{"TimeCreated":{"SystemTime":"2020-10-19T10:46:42.0270000Z"}}`, `{"@timestamp":"2020-10-19T10:46:42.027Z","TimeCreated.SystemTime":"2020-10-19T10:46:42.0270000Z"}`)
	f(`{"Event":{"System":{"TimeCreated":{"@SystemTime":"2020-10-19T10:46:42Z"}}}}`, `{"@timestamp":"2020-10-19T10:46:42Z","Event.System.TimeCreated.@SystemTime":"2020-10-19T10:46:42Z"}`)
	f(`{"x":{"NotTimeCreated":{"SystemTime":"2020-10-19T10:46:42Z"}}}`, `{"x.NotTimeCreated.SystemTime":"2020-10-19T10:46:42Z"}`)
	f(`{"eventTime":"2014-03-06T21:22:54Z","eventName":"ConsoleLogin"}`, `{"@timestamp":"2014-03-06T21:22:54Z","eventTime":"2014-03-06T21:22:54Z","eventName":"ConsoleLogin"}`)
	f(`{"EventTime":"2022-05-11T18:10:21Z"}`, `{"@timestamp":"2022-05-11T18:10:21Z","EventTime":"2022-05-11T18:10:21Z"}`)
	f(`{"TimeGenerated":"2022-05-13T08:54:05.21Z"}`, `{"@timestamp":"2022-05-13T08:54:05.21Z","TimeGenerated":"2022-05-13T08:54:05.21Z"}`)
	f(`{"CreationTime":"2015-06-29T20:03:19"}`, `{"@timestamp":"2015-06-29T20:03:19Z","CreationTime":"2015-06-29T20:03:19"}`)
	f(`{"published":"2017-09-31T22:23:07.777Z"}`, `{"published":"2017-09-31T22:23:07.777Z"}`) // 31 September: no time
	f(`{"createdAt":"2020-01-01T00:00:00.000Z"}`, `{"@timestamp":"2020-01-01T00:00:00Z","createdAt":"2020-01-01T00:00:00.000Z"}`)
	f(`{"createdDateTime":"2023-04-05T06:07:08Z"}`, `{"@timestamp":"2023-04-05T06:07:08Z","createdDateTime":"2023-04-05T06:07:08Z"}`)
	f(`{"timestamp":"2009-11-24T21:27:09.534255+0100"}`, `{"@timestamp":"2009-11-24T20:27:09.534255Z","timestamp":"2009-11-24T21:27:09.534255+0100"}`)
	f(`{"date":"2024-02-29"}`, `{"@timestamp":"2024-02-29T00:00:00Z","date":"2024-02-29"}`)
	// Epoch numbers by magnitude: s, ms, µs, ns.
	f(`{"ts":1764000000.25}`, `{"@timestamp":"2025-11-24T16:00:00.25Z","ts":1764000000.25}`)
	f(`{"time":1764000000123}`, `{"@timestamp":"2025-11-24T16:00:00.123Z","time":1764000000123}`)
	f(`{"time":1764000000123456}`, `{"@timestamp":"2025-11-24T16:00:00.123456Z","time":1764000000123456}`)
	f(`{"time":1764000000123456789}`, `{"@timestamp":"2025-11-24T16:00:00.123456789Z","time":1764000000123456789}`)
	// A duration named time, or a time of day, is not the event time.
	f(`{"time":0.25,"ts":"12:00:01"}`, `{"time":0.25,"ts":"12:00:01"}`)
	// Windows' own time wins over the collector's.
	f(`{"EventReceivedTime":"2020-06-09 22:50:56","EventTime":"2020-06-09 22:50:54","timestamp":"2020-06-09T22:50:55Z"}`,
		`{"@timestamp":"2020-06-09T22:50:54Z","EventReceivedTime":"2020-06-09 22:50:56","EventTime":"2020-06-09 22:50:54","timestamp":"2020-06-09T22:50:55Z"}`)
	// msg and message.
	f(`{"msg":"hello","level":"info"}`, `{"message":"hello","level":"info"}`)
	f(`{"msg":"a","message":"b"}`, `{"msg":"a","message":"b"}`)
	f(`{"msg":{"text":"a"}}`, `{"msg.text":"a"}`)
	// Envelope names never override the envelope.
	f(`{"event.id":"x","vigil":{"tenant":"evil","source":"s"},"event":{"original":"o","ingested":"i","code":"4625"}}`,
		`{"json.event.id":"x","json.vigil.tenant":"evil","json.vigil.source":"s","json.event.original":"o","json.event.ingested":"i","event.code":"4625"}`)
	// Nor does a sender set vigil.original_base64, which only Vigil writes.
	f(`{"vigil.original_base64":"AAAA","msg":"m"}`, `{"json.vigil.original_base64":"AAAA","message":"m"}`)
	// Duplicates: the last wins; objects merge; empty keys.
	f(`{"a":1,"a":2,"b":{"x":1},"b":{"y":2},"":3,"c":{"":4}}`, `{"a":2,"b.x":1,"b.y":2,"_":3,"c._":4}`)
	// Typed ECS fields.
	f(`{"source":{"ip":"10.0.0.1","port":"443"},"destination":{"ip":"db01","port":"https"},"related":{"ip":["10.0.0.1"]}}`,
		`{"source.ip":"10.0.0.1","source.port":443,"json.destination.ip":"db01","json.destination.port":"https","related.ip":["10.0.0.1"]}`)
	// BOM.
	f("\xef\xbb\xbf{\"a\":1}", `{"a":1}`)
}

func TestParseErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		t.Run(in, func(t *testing.T) {
			e := parsetest.NewEvent(in)
			err := New().Parse([]byte(in), e)
			if err == nil {
				t.Fatalf("no error; fields %s", parsetest.Render(e))
			}
			if !errors.Is(err, formaterr.ErrFormat) || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	f(``, `json: record at 0: want a JSON object`)
	f(`[1,2]`, `json: record at 0: want a JSON object`)
	f(`"s"`, `json: record at 0: want a JSON object`)
	f(`{"a":1}x`, `json: record at 7: text after the object`)
	f(`{"a":1}{"b":2}`, `json: record at 7: text after the object`)
	f(`{"a":1,}`, `json: object at 7: want a quoted key`)
	f(`{"a" 1}`, `json: object at 5: want ':' after the key`)
	f(`{"a":01}`, `json: object at 6: want ',' or '}'`)
	f(`{"a":-}`, `json: number at 5: invalid number`)
	f(`{"a":1.}`, `json: number at 5: invalid number`)
	f(`{"a":tru}`, `json: value at 5: want a value`)
	f(`{"a":"b`, `json: string at 5: no closing quote`)
	f("{\"a\":\"b\tc\"}", `json: string at 7: control character in a string`)
	f(`{"a":"\x"}`, `json: string at 6: invalid escape`)
	f(`{"a":"\u12"}`, `json: string at 6: want four hex digits after \u`)
	f(`{"a":[1,]}`, `json: array at 8: want a value`)
	f(`{"a":[{"b":1},{"c" 2}]}`, `json: object at 19: want ':' after the key`)
	f(`{"a":`+strings.Repeat(`{"a":`, 64)+`1`+strings.Repeat(`}`, 65), `json: object at 320: nested deeper than 64`)
	f(`{"a":`+strings.Repeat(`[`, 70)+strings.Repeat(`]`, 70)+`}`, `json: array at 68: nested deeper than 64`)
}
