// Package authlog owns the Linux auth log normaliser: sshd, PAM, sudo, su,
// login and cron lines (syslog program names), mapped to ECS
// (event.category authentication/session, user.name, source.ip,
// event.outcome), with what ECS lacks under system.auth.*.
// docs/normalizers.md lists the mappings.
package authlog
