package query

import (
	"slices"
)

// Plan is a parsed query: the filter and the pipes, independent of any
// storage. Each backend compiles it to its own SQL; the methods give what a
// store needs to plan the scan (which data it may skip, which columns it
// must read) and what the result looks like.
type Plan struct {
	// Filter selects events; nil selects all.
	Filter Expr
	// Pipes apply in order to the events the filter selects.
	Pipes []Pipe
}

// Shape is the kind of rows a query returns.
type Shape uint8

const (
	// ShapeEvents: stored events, newest first unless sorted.
	ShapeEvents Shape = iota
	// ShapeTable: rows computed by stats or timechart.
	ShapeTable
)

func (s Shape) String() string {
	if s == ShapeTable {
		return "table"
	}
	return "events"
}

// Shape reports whether the query returns events or a table.
func (p *Plan) Shape() Shape {
	for _, pipe := range p.Pipes {
		switch pipe.(type) {
		case *Stats, *Timechart:
			return ShapeTable
		}
	}
	return ShapeEvents
}

// Columns returns the columns of the result in order, or nil when the
// result is events with all their fields.
func (p *Plan) Columns() []string {
	var cols []string
	for _, pipe := range p.Pipes {
		switch pp := pipe.(type) {
		case *Fields:
			cols = pp.Names
		case *Stats:
			cols = tableColumns(nil, pp.By, pp.Aggs)
		case *Timechart:
			cols = tableColumns([]string{TimeColumn}, pp.By, pp.Aggs)
		}
	}
	return slices.Clone(cols)
}

func tableColumns(first, by []string, aggs []Agg) []string {
	cols := append(append([]string(nil), first...), by...)
	for _, a := range aggs {
		cols = append(cols, a.Name())
	}
	return cols
}

// NeedsAllFields reports whether the result is events with all their
// fields, so the store must read every column.
func (p *Plan) NeedsAllFields() bool {
	return p.Shape() == ShapeEvents && p.Columns() == nil
}

// Fields returns the stored fields the query reads, sorted: those it
// filters, sorts, groups, aggregates or keeps, message and event.original
// for full-text search, and @timestamp for a timechart. Names of result
// columns after stats are not stored fields and are left out. With
// NeedsAllFields, the result needs every field besides these.
func (p *Plan) Fields() []string {
	var fields []string
	addExpr := func(e Expr) {
		Walk(e, func(e Expr) {
			switch e.(type) {
			case *Match, *Exists, *CIDR, *Range:
				if f := exprField(e); f != "" {
					fields = append(fields, f)
				} else {
					fields = append(fields, FullTextFields[:]...)
				}
			}
		})
	}
	addAggs := func(by []string, aggs []Agg) {
		fields = append(fields, by...)
		for _, a := range aggs {
			if a.Field != "" {
				fields = append(fields, a.Field)
			}
		}
	}
	addExpr(p.Filter)
pipes:
	for _, pipe := range p.Pipes {
		switch pp := pipe.(type) {
		case *Where:
			addExpr(pp.Filter)
		case *Sort:
			for _, k := range pp.Keys {
				fields = append(fields, k.Field)
			}
		case *Fields:
			fields = append(fields, pp.Names...)
		case *Stats:
			addAggs(pp.By, pp.Aggs)
			break pipes
		case *Timechart:
			fields = append(fields, "@timestamp")
			addAggs(pp.By, pp.Aggs)
			break pipes
		}
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

// Terms returns the full-text tokens (folded, see AppendTokens) that every
// matching event has in message or event.original, sorted. A store with a
// token index may skip any data that lacks one of them. They come from the
// bare words, phrases and full-text field values the filter requires: all
// of an AND, those common to every branch of an OR, none under a NOT, and
// for wildcards only the tokens the pattern spells out whole.
func (p *Plan) Terms() []string {
	terms := requiredTerms(p.Filter)
pipes:
	for _, pipe := range p.Pipes {
		switch pp := pipe.(type) {
		case *Where:
			terms = append(terms, requiredTerms(pp.Filter)...)
		case *Sort, *Fields:
		default:
			// Head, stats and timechart change the rows; a later where
			// filters their result, not the stored events.
			break pipes
		}
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}

// requiredTerms returns the tokens every event matching e has, unsorted.
func requiredTerms(e Expr) []string {
	switch e := e.(type) {
	case *Match:
		if !IsFullText(e.Field) {
			return nil
		}
		if e.Wild {
			return wholeTokens(e.Value)
		}
		return AppendTokens(nil, e.Value)
	case *And:
		var all []string
		for _, a := range e.Args {
			all = append(all, requiredTerms(a)...)
		}
		return all
	case *Or:
		common := requiredTerms(e.Args[0])
		for _, a := range e.Args[1:] {
			other := requiredTerms(a)
			common = slices.DeleteFunc(common, func(t string) bool { return !slices.Contains(other, t) })
		}
		return common
	}
	return nil
}

// wholeTokens returns the tokens a pattern spells out whole: those in its
// literal text that touch no wildcard.
func wholeTokens(pattern string) []string {
	segs := Segments(pattern)
	var toks []string
	for k, seg := range segs {
		if seg.Wild != 0 {
			continue
		}
		s := seg.Text
		for i := 0; i < len(s); {
			if !tokenByte[s[i]] {
				i++
				continue
			}
			j := i
			for j < len(s) && tokenByte[s[j]] {
				j++
			}
			if (i > 0 || k == 0) && (j < len(s) || k == len(segs)-1) {
				toks = append(toks, Fold(s[i:j]))
			}
			i = j
		}
	}
	return toks
}
