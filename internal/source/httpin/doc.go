// Package httpin owns HTTP ingest: the handlers the API server mounts for
// Vigil's own NDJSON endpoint (POST /api/v1/ingest), the Splunk HTTP Event
// Collector (/services/collector/...) and the Elasticsearch bulk API
// (/_bulk, /{index}/_bulk, plus the few endpoints shippers probe before
// sending), so that existing shippers — Fluent Bit, Vector, Filebeat,
// Logstash, anything that speaks HEC — can point at Vigil unchanged.
//
// Durability: a request is answered 2xx only once every event in it is
// durable (each batch acknowledged by the pipeline, see pipeline.SubmitWait);
// a sender that got 200 never loses data, and one that got an error or no
// answer may resend: the events' stable ids let the store drop the replay.
//
// Authentication (config.HTTPIngest): a token chooses the tenant and the
// source name of the events. HEC always requires "Authorization: Splunk
// <token>". The other endpoints take "Bearer <token>", "ApiKey <token>"
// (also the Elastic form base64("id:token")) or Basic with the token as the
// password, and require one only when tokens are configured. Tokens are
// compared in constant time, every configured token each time. A token in
// the query string (HEC's ?token=) is refused: URLs end up in proxy and
// access logs, shell histories and Referer headers, which would leak the
// credential; Splunk itself refuses it by default (HEC code 16).
//
// Bodies are bounded by max_body_bytes, after gzip decompression too (a
// small compressed body cannot expand without bound). A body is read whole
// before it is decoded; at the default 64 MiB limit that bounds memory per
// request.
//
// JSON objects become events through an ordered flattener: nested objects
// become dotted names ({"host":{"name":"a"}} → host.name), arrays become
// lists of strings, and the fields keep the order they had in the document.
// Envelope names in a document (vigil.tenant, vigil.source, event.id,
// event.ingested, event.original) become json.<name>, as the json parser
// has them: only the token chooses the tenant and source.
//
// Event ids: identical records within one request are told apart by their
// occurrence (event.Occurrences, counted over the request body), so a
// retried request gets the same ids and real repeats get distinct ones.
package httpin
