// Package netlimit owns the connection caps of Vigil's stream listeners:
// at most so many open connections per listener and per client IP
// address. A connection over a cap is closed as soon as it is accepted, so
// it holds no file descriptor or buffer, and one client cannot take all
// of a listener's connections from the others.
package netlimit
