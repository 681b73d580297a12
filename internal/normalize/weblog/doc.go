// Package weblog owns the web server log normaliser: Apache and nginx
// access logs (common and combined formats, with or without a virtual host)
// and their error logs, mapped to ECS (http.*, url.*, source.ip,
// user_agent.original). docs/normalizers.md lists the mappings.
package weblog
