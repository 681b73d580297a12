package incident

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a change, so a client cannot grow an incident without bound.
const (
	MaxPatchBytes   = 64 << 10
	MaxCommentBytes = 16 << 10
	MaxNameBytes    = 256
	// MaxComments bounds the comments of one incident.
	MaxComments = 1000
)

// Patch is an analyst's change to an incident: any of a new status, a new
// assignee ("" unassigns) and a comment, by an author.
type Patch struct {
	Status   *Status `json:"status,omitempty"`
	Assignee *string `json:"assignee,omitempty"`
	Comment  *string `json:"comment,omitempty"`
	// Author is who makes the change; default "anonymous".
	Author string `json:"author,omitempty"`
}

// ParsePatch reads a PATCH body: one JSON object with the fields of Patch
// and nothing else, checked.
func ParsePatch(body []byte) (Patch, error) {
	var p Patch
	if len(body) > MaxPatchBytes {
		return p, fmt.Errorf("patch body of %d bytes: at most %d", len(body), MaxPatchBytes)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return Patch{}, fmt.Errorf("read patch: %w", err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return Patch{}, errors.New("read patch: data after the JSON object")
	}
	if err := p.check(); err != nil {
		return Patch{}, err
	}
	return p, nil
}

// check validates and normalises a patch.
func (p *Patch) check() error {
	if p.Status == nil && p.Assignee == nil && p.Comment == nil {
		return errors.New("patch: nothing to change: give status, assignee or comment")
	}
	if p.Status != nil && !p.Status.Valid() {
		return fmt.Errorf("patch: status %q: want new, in_progress or closed", *p.Status)
	}
	if p.Assignee != nil {
		a := strings.TrimSpace(*p.Assignee)
		if err := checkName("assignee", a); err != nil {
			return err
		}
		p.Assignee = &a
	}
	p.Author = strings.TrimSpace(p.Author)
	if err := checkName("author", p.Author); err != nil {
		return err
	}
	if p.Author == "" {
		p.Author = "anonymous"
	}
	if p.Comment != nil {
		c := strings.TrimSpace(*p.Comment)
		switch {
		case c == "":
			return errors.New("patch: comment is empty")
		case len(c) > MaxCommentBytes:
			return fmt.Errorf("patch: comment of %d bytes: at most %d", len(c), MaxCommentBytes)
		case !utf8.ValidString(c) || strings.ContainsRune(c, 0):
			return errors.New("patch: comment is not valid UTF-8 text")
		}
		p.Comment = &c
	}
	return nil
}

// checkName accepts a short single-line name.
func checkName(what, s string) error {
	if len(s) > MaxNameBytes {
		return fmt.Errorf("patch: %s of %d bytes: at most %d", what, len(s), MaxNameBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("patch: %s is not valid UTF-8", what)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("patch: %s holds a control character", what)
		}
	}
	return nil
}
