// Package windows owns the Windows event normaliser: it brings Windows
// events that arrive as JSON from shippers (Winlogbeat, NXLog, Logstash) to
// the EVTX field layout (internal/event/winlog) the evtx and winxml parsers
// write, and maps the event data of the common security events to ECS
// (source.ip, user.name, process.executable …), so Sigma's Windows rules
// match whatever shipped the event. docs/normalizers.md lists the mappings.
package windows
