package rfc3164

import (
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
)

// Tag is the TAG of a record: the program name and its process id.
type Tag struct {
	Name string
	PID  string
}

// spacedTagMax is how far a TAG with spaces may reach to its "[pid]:".
const spacedTagMax = 48

// SplitTag splits "TAG[PID]: MSG" (also "TAG: MSG" and "TAG MSG") at the
// start of s. With strict, a TAG is taken only when a ':' ends it.
func SplitTag(s string, strict bool) (Tag, string) {
	i := 0
	for i < len(s) && s[i] != ':' && s[i] != '[' && s[i] != ' ' {
		if s[i] == '=' { // "date=2026-11-23 …": key=value text, no TAG
			return Tag{}, s
		}
		i++
	}
	if i == 0 || i == len(s) {
		return Tag{}, s
	}
	switch s[i] {
	case ':':
		return Tag{Name: s[:i]}, afterColon(s, i+1)
	case '[':
		return bracketed(s, s[:i], i, strict)
	}
	// A space: a TAG with spaces reaching "[digits]:", else a TAG without
	// colon. Program names start with a letter (or '-', as login shells
	// show: "-- root[2421]:"); requiring one keeps RFC 3164's own
	// "CST 1987 mymachine myproc[10]:" from becoming a TAG.
	c0 := s[0] | 0x20
	for j := i + 1; (c0 >= 'a' && c0 <= 'z' || s[0] == '-') && j < len(s) && j <= spacedTagMax; j++ {
		c := s[j]
		if c == ':' {
			break
		}
		if c == '[' {
			if tag, msg := bracketed(s, s[:j], j, true); tag.Name != "" && isDigits(tag.PID) {
				return tag, msg
			}
			break
		}
	}
	if strict {
		return Tag{}, s
	}
	return Tag{Name: s[:i]}, s[i+1:]
}

// bracketed reads "[PID]" at s[i:] after the TAG name.
func bracketed(s, name string, i int, strict bool) (Tag, string) {
	j := i + 1
	for j < len(s) && s[j] != ']' && s[j] != ' ' {
		j++
	}
	if j >= len(s) || s[j] != ']' || j == i+1 {
		return Tag{}, s
	}
	tag := Tag{Name: name, PID: s[i+1 : j]}
	j++
	if j < len(s) && s[j] == ':' {
		return tag, afterColon(s, j+1)
	}
	if strict {
		return Tag{}, s
	}
	if j < len(s) && s[j] == ' ' {
		j++
	}
	return tag, s[j:]
}

func afterColon(s string, i int) string {
	if i < len(s) && s[i] == ' ' {
		i++
	}
	return s[i:]
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Append writes process.name and process.pid (or log.syslog.procid).
func (t Tag) Append(w *fields.Writer) {
	if t.Name == "" {
		return
	}
	w.Append(FieldProcess, event.String(t.Name))
	if t.PID == "" {
		return
	}
	if pid, ok := pidNumber(t.PID); ok {
		w.Append(FieldPID, event.Int(pid))
	} else {
		w.Append(FieldProcID, event.String(t.PID))
	}
}

func pidNumber(s string) (int64, bool) {
	if !isDigits(s) || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		// "007" stays text: a number would not give it back.
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}
