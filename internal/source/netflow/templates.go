package netflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"sync"

	nf "github.com/netsampler/goflow2/v2/decoders/netflow"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// Limits of the template store, with their reasons.
const (
	// MaxExporters bounds the exporters whose templates are kept: a
	// listener open to spoofed packets must not grow without end.
	MaxExporters = 4096
	// MaxTemplatesPerExporter bounds one exporter's templates (template ids
	// are 256–65535; real exporters use tens).
	MaxTemplatesPerExporter = 1024
	// templatesFileVersion is the version of the file (docs/format/netflow-templates.md).
	templatesFileVersion = 1
)

// templates keeps the v9 and IPFIX templates of every exporter and saves
// them to a file when they change.
type templates struct {
	mu    sync.Mutex
	file  string
	byExp map[string]*exporterTemplates
	dirty bool
}

// exporterTemplates implements goflow2's NetFlowTemplateSystem for one
// exporter (keyed by version, observation domain / source id, template id).
type exporterTemplates struct {
	owner *templates
	m     map[tkey]any
}

type tkey struct {
	Version uint16
	Domain  uint32
	ID      uint16
}

func newTemplates(file string) (*templates, error) {
	t := &templates{file: file, byExp: map[string]*exporterTemplates{}}
	if file == "" {
		return t, nil
	}
	if err := t.load(); err != nil {
		return nil, err
	}
	return t, nil
}

// exporter returns the template system of an exporter, nil beyond MaxExporters.
func (t *templates) exporter(addr string) *exporterTemplates {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byExp[addr]
	if e == nil {
		if len(t.byExp) >= MaxExporters {
			return nil
		}
		e = &exporterTemplates{owner: t, m: map[tkey]any{}}
		t.byExp[addr] = e
	}
	return e
}

var (
	errTooManyTemplates = errors.New("too many templates from this exporter")
	errEmptyTemplate    = errors.New("template whose records have no bytes")
)

// recordBytes is the least number of bytes a record of tmpl takes: the
// fixed lengths, and one byte per variable-length field. goflow2 decodes
// records while the data set has that many bytes left, so a template of
// zero bytes would loop for ever on any data set: it is refused.
func recordBytes(tmpl any) (n int, fields int) {
	add := func(fs []nf.Field) {
		for _, f := range fs {
			fields++
			if f.Length == 0xffff {
				n++
			} else {
				n += int(f.Length)
			}
		}
	}
	switch t := tmpl.(type) {
	case nf.TemplateRecord:
		add(t.Fields)
	case nf.NFv9OptionsTemplateRecord:
		add(t.Scopes)
		add(t.Options)
	case nf.IPFIXOptionsTemplateRecord:
		add(t.Scopes)
		add(t.Options)
	}
	return n, fields
}

func (e *exporterTemplates) AddTemplate(version uint16, domain uint32, id uint16, tmpl any) error {
	e.owner.mu.Lock()
	defer e.owner.mu.Unlock()
	k := tkey{version, domain, id}
	switch n, fields := recordBytes(tmpl); {
	case fields == 0:
		// A template without fields withdraws the template (RFC 7011 §8.1).
		if _, ok := e.m[k]; ok {
			delete(e.m, k)
			e.owner.dirty = true
		}
		return nil
	case n == 0:
		return errEmptyTemplate
	}
	if _, ok := e.m[k]; !ok && len(e.m) >= MaxTemplatesPerExporter {
		return errTooManyTemplates
	}
	e.m[k] = tmpl
	e.owner.dirty = true
	return nil
}

func (e *exporterTemplates) GetTemplate(version uint16, domain uint32, id uint16) (any, error) {
	e.owner.mu.Lock()
	defer e.owner.mu.Unlock()
	if t, ok := e.m[tkey{version, domain, id}]; ok {
		return t, nil
	}
	return nil, nf.ErrorTemplateNotFound
}

func (e *exporterTemplates) RemoveTemplate(version uint16, domain uint32, id uint16) (any, error) {
	e.owner.mu.Lock()
	defer e.owner.mu.Unlock()
	k := tkey{version, domain, id}
	t, ok := e.m[k]
	if !ok {
		return nil, nf.ErrorTemplateNotFound
	}
	delete(e.m, k)
	e.owner.dirty = true
	return t, nil
}

// The file: {"version":1,"exporters":{"ADDR":[{"version":9,"domain":N,"id":N,"kind":"data|nfv9-options|ipfix-options","template":{…goflow2 JSON…}}]}}
type fileRoot struct {
	Version   int                       `json:"version"`
	Exporters map[string][]fileTemplate `json:"exporters"`
}

type fileTemplate struct {
	Version  uint16          `json:"version"`
	Domain   uint32          `json:"domain"`
	ID       uint16          `json:"id"`
	Kind     string          `json:"kind"`
	Template json.RawMessage `json:"template"`
}

// save writes the templates if they changed since the last save.
func (t *templates) save() error {
	t.mu.Lock()
	if !t.dirty || t.file == "" {
		t.mu.Unlock()
		return nil
	}
	root := fileRoot{Version: templatesFileVersion, Exporters: map[string][]fileTemplate{}}
	for addr, e := range t.byExp {
		var list []fileTemplate
		for k, v := range e.m {
			kind := ""
			switch v.(type) {
			case nf.TemplateRecord:
				kind = "data"
			case nf.NFv9OptionsTemplateRecord:
				kind = "nfv9-options"
			case nf.IPFIXOptionsTemplateRecord:
				kind = "ipfix-options"
			default:
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.mu.Unlock()
				return fmt.Errorf("encode template: %w", err)
			}
			list = append(list, fileTemplate{Version: k.Version, Domain: k.Domain, ID: k.ID, Kind: kind, Template: b})
		}
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			return strconv.Itoa(int(a.Version))+"/"+strconv.Itoa(int(a.Domain))+"/"+strconv.Itoa(int(a.ID)) <
				strconv.Itoa(int(b.Version))+"/"+strconv.Itoa(int(b.Domain))+"/"+strconv.Itoa(int(b.ID))
		})
		root.Exporters[addr] = list
	}
	t.dirty = false
	t.mu.Unlock()
	b, err := json.Marshal(root)
	if err != nil {
		return fmt.Errorf("encode templates: %w", err)
	}
	if err := fsutil.WriteFileAtomic(t.file, b, 0o600); err != nil {
		return fmt.Errorf("write netflow templates: %w", err)
	}
	return nil
}

func (t *templates) load() error {
	b, err := os.ReadFile(t.file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read netflow templates: %w", err)
	}
	var root fileRoot
	if err := json.Unmarshal(b, &root); err != nil {
		return fmt.Errorf("read netflow templates %s: %w", t.file, err)
	}
	if root.Version != templatesFileVersion {
		return fmt.Errorf("read netflow templates %s: version %d, want %d", t.file, root.Version, templatesFileVersion)
	}
	for addr, list := range root.Exporters {
		e := t.exporter(addr)
		if e == nil {
			break
		}
		for _, ft := range list {
			var v any
			var err error
			switch ft.Kind {
			case "data":
				var r nf.TemplateRecord
				err = json.Unmarshal(ft.Template, &r)
				v = r
			case "nfv9-options":
				var r nf.NFv9OptionsTemplateRecord
				err = json.Unmarshal(ft.Template, &r)
				v = r
			case "ipfix-options":
				var r nf.IPFIXOptionsTemplateRecord
				err = json.Unmarshal(ft.Template, &r)
				v = r
			default:
				err = fmt.Errorf("kind %q unknown", ft.Kind)
			}
			if err != nil {
				return fmt.Errorf("read netflow templates %s: exporter %s template %d: %w", t.file, addr, ft.ID, err)
			}
			if err := e.AddTemplate(ft.Version, ft.Domain, ft.ID, v); err != nil {
				return fmt.Errorf("read netflow templates %s: exporter %s: %w", t.file, addr, err)
			}
		}
	}
	t.dirty = false
	return nil
}
