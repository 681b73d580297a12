// Package demo owns the demonstration generator behind `vigil serve
// --demo`: a small company replayed at a gentle rate into tenant "demo",
// and, every few minutes, a scripted attack story, so a newcomer sees
// searches, alerts, an incident and a map of source addresses within
// minutes of the first start (docs/demo.md).
//
// The company: a Cisco ASA firewall that is also the VPN gateway, an
// Apache web server, Linux servers (sshd, sudo, cron), Windows domain
// controllers and workstations (Security and System logs, PowerShell),
// and cloud audit logs (CloudTrail). Every record is a raw log line or
// JSON document as the real product writes it, submitted to the pipeline
// as a source would, so parsing, normalisation, enrichment, detection and
// incidents all run as they do on real data.
//
// The story: recon scan → web exploit → SSH brute force → success →
// lateral movement to Windows → log clearing, from an address that
// changes with each run of the story.
//
// Addresses: the company's outside peers and the attacker use the
// documentation networks (RFC 5737: 192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24), which no GeoIP database places. The generator sets
// source.geo.* itself on the events from these addresses, from a small
// table of made-up locations (geo.go); a configured GeoIP database leaves
// them alone, as it finds nothing for these addresses.
//
// Time: Generator.Step is a function of the time it is given, so tests
// drive it with their own clock; Run calls it on a ticker. Speed
// compresses the schedule (speed 60: a story every 3 s instead of 3 min).
package demo
