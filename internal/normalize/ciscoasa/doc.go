// Package ciscoasa owns the Cisco ASA and Firepower Threat Defense
// normaliser: it recognises the %ASA-/%FTD- message tag, maps the
// connection, access-list, AAA, VPN and threat messages to ECS, keeps what
// ECS lacks under cisco.asa.*, and remembers the ids of outbound
// connections (bounded) so a teardown knows its direction.
// docs/normalizers.md lists the messages.
package ciscoasa
