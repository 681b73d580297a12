package dashboard

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilsiem/vigil/internal/query"
)

// The chart types. A map places each row on the world map by its columns
// ending in ".lat" and ".lon" (stats … by source.geo.location.lat,
// source.geo.location.lon), sized by its count; a heat map draws a
// timechart's by-groups as rows of cells shaded by count.
const (
	Line    Chart = "line"
	Bar     Chart = "bar"
	Table   Chart = "table"
	Single  Chart = "single"
	Map     Chart = "map"
	Heatmap Chart = "heatmap"
)

var charts = map[Chart]bool{Line: true, Bar: true, Table: true, Single: true, Map: true, Heatmap: true}

// BuiltinPrefix starts the ids of built-in dashboards; stored ones may not use it.
const BuiltinPrefix = "builtin-"

// NewID returns a random id.
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidID reports ids of 1-64 letters, digits, '-' and '_'.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Validate checks a dashboard before it is stored.
func Validate(d *Dashboard) error {
	d.Title = strings.TrimSpace(d.Title)
	if d.Panels == nil {
		d.Panels = []Panel{}
	}
	var errs []error
	if !ValidID(d.ID) {
		errs = append(errs, fmt.Errorf("id %q: want 1-64 letters, digits, '-' or '_'", d.ID))
	}
	if d.Title == "" || len(d.Title) > MaxTitle {
		errs = append(errs, fmt.Errorf("title: want 1-%d bytes", MaxTitle))
	}
	if len(d.Description) > MaxDescription {
		errs = append(errs, fmt.Errorf("description: at most %d bytes", MaxDescription))
	}
	if len(d.Panels) > MaxPanels {
		errs = append(errs, fmt.Errorf("panels: at most %d", MaxPanels))
	}
	if len(d.From) > 64 {
		errs = append(errs, errors.New("from: at most 64 bytes"))
	}
	for i := range d.Panels {
		if err := ValidatePanel(&d.Panels[i]); err != nil {
			errs = append(errs, fmt.Errorf("panel %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// ValidatePanel checks a panel: a title, a chart type it knows, and a
// query that parses and ends in a table (stats or timechart).
func ValidatePanel(p *Panel) error {
	p.Title = strings.TrimSpace(p.Title)
	if p.Title == "" || len(p.Title) > MaxTitle {
		return fmt.Errorf("title: want 1-%d bytes", MaxTitle)
	}
	if !charts[p.Chart] {
		return fmt.Errorf("chart %q: want line, bar, table, single, map or heatmap", p.Chart)
	}
	if p.Width < 0 || p.Width > 3 {
		return fmt.Errorf("width %d: want 1, 2 or 3", p.Width)
	}
	if len(p.Query) > MaxQuery {
		return fmt.Errorf("query: at most %d bytes", MaxQuery)
	}
	plan, err := query.Parse(p.Query)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	if plan.Shape() != query.ShapeTable {
		return errors.New("query: want a stats or timechart query (a panel draws a table)")
	}
	return nil
}
