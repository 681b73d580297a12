package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/vigilsiem/vigil/internal/auth"
)

func init() {
	c := &command{name: "passwd", summary: "hash a password for auth.users in vigil.yaml (reads it from standard input)", usage: ""}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errUsage
		}
		if isTerminal(os.Stderr) {
			fmt.Fprint(os.Stderr, "password (the input is shown; pipe it in to avoid that): ")
		}
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if len(pw) < 12 {
			return errors.New("a password needs at least 12 characters")
		}
		h, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		fmt.Println(h)
		return nil
	}
	register(c)

	t := &command{name: "token", summary: "make an API token: prints the token (give it to the client) and its sha256 (put it in auth.tokens)", usage: ""}
	t.run = func(args []string) error {
		fs := newFlagSet(t)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errUsage
		}
		tok, digest, err := auth.NewToken()
		if err != nil {
			return err
		}
		fmt.Printf("token:  %s\nsha256: %s\n", tok, digest)
		return nil
	}
	register(t)
}

// addCredentials authenticates a request of a CLI command to the API from
// the environment: VIGIL_TOKEN (a bearer token), or VIGIL_USER and
// VIGIL_PASSWORD (HTTP Basic).
func addCredentials(req *http.Request) {
	if tok := os.Getenv("VIGIL_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
		return
	}
	if u := os.Getenv("VIGIL_USER"); u != "" {
		req.SetBasicAuth(u, os.Getenv("VIGIL_PASSWORD"))
	}
}
