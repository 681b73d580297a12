package response

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

// waitDelay is how long Wait waits, after the program exits or is killed,
// for descendants holding its output open.
const waitDelay = 2 * time.Second

type program struct {
	path   string
	args   []string
	dir    string
	env    []string
	maxOut int
}

func newProgram(c *config.ProgramResponse) (*program, error) {
	path, err := exec.LookPath(c.Command[0])
	if err != nil {
		return nil, fmt.Errorf("program: %w", err)
	}
	p := &program{path: path, args: c.Command[1:], dir: c.Dir, maxOut: int(c.MaxOutput)}
	// The environment holds PATH and what is configured, nothing else of
	// Vigil's: its own environment may hold credentials.
	p.env = []string{"PATH=" + os.Getenv("PATH")}
	keys := make([]string, 0, len(c.Env))
	for k := range c.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.env = append(p.env, k+"="+string(c.Env[k]))
	}
	return p, nil
}

func (p *program) do(ctx context.Context, j *job) result {
	cmd := exec.CommandContext(ctx, p.path, p.args...)
	cmd.Dir = p.dir
	cmd.Env = append(append([]string(nil), p.env...),
		"VIGIL_KIND="+j.kind, "VIGIL_TENANT="+j.tenant, "VIGIL_SUBJECT="+j.subject,
		"VIGIL_DELIVERY="+j.delivery, "VIGIL_REASON="+j.reason)
	cmd.Stdin = bytes.NewReader(j.body)
	out := &capped{max: p.maxOut}
	cmd.Stdout, cmd.Stderr = out, out
	ownGroup(cmd)
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	killGroup(cmd) // what it left running goes with it
	detail := "not started"
	if cmd.ProcessState != nil {
		detail = cmd.ProcessState.String()
	}
	if o := out.String(); o != "" {
		detail += "; output: " + o
	}
	switch {
	case err == nil:
		return result{detail: detail}
	case ctx.Err() != nil:
		return result{err: fmt.Errorf("program %s: timed out, its process group killed", p.path), retry: true, detail: detail}
	case cmd.ProcessState == nil:
		return result{err: fmt.Errorf("program %s: %w", p.path, err)}
	}
	if _, ok := errors.AsType[*exec.ExitError](err); ok {
		return result{err: fmt.Errorf("program %s failed", p.path), retry: true, detail: detail}
	}
	return result{err: fmt.Errorf("program %s: %w", p.path, err), retry: true, detail: detail}
}

func (p *program) close() error { return nil }

// capped keeps the first max bytes written to it and counts the rest.
type capped struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped int
}

func (c *capped) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(b), c.max-len(c.buf))
	c.buf = append(c.buf, b[:n]...)
	c.dropped += len(b) - n
	return len(b), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.ToValidUTF8(strings.TrimSpace(string(c.buf)), "\uFFFD")
	if c.dropped > 0 {
		s += fmt.Sprintf(" […%d more bytes]", c.dropped)
	}
	return s
}
