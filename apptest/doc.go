// Package apptest owns the tests that run the real vigil binary and talk to
// it as users and log senders do: over syslog, HTTP and the vigil CLI.
package apptest
