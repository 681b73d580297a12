// Package auth owns who may use the HTTP API: users with hashed passwords
// (argon2id, or bcrypt for hashes made elsewhere) and API tokens stored as
// SHA-256 digests, each with a role and the tenants it may see; the
// middleware that authenticates every API request and checks its tenant and
// role; and the password and token helpers behind `vigil passwd` and
// `vigil token`.
//
// Nothing secret is kept in clear: the configuration holds only hashes, and
// neither passwords nor tokens are ever logged.
package auth
