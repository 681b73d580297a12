// Package netflow owns the NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX
// (RFC 7011) listener: a UDP socket whose packets are decoded with
// goflow2's decoders into one ECS event per flow (source.*, destination.*,
// network.*, event.start/end, observer.ip = the exporter), with the
// templates of v9 and IPFIX kept per exporter and saved in the data
// directory so flows decode at once after a restart
// (docs/format/netflow-templates.md). A packet that cannot be decoded is
// counted and dead-lettered with the reason.
package netflow
