package query

import (
	"strconv"
	"time"
)

// Pipe is one stage after the filter: *Fields, *Sort, *Head, *Where,
// *Stats or *Timechart. Stages apply in order, each to the rows of the one
// before.
type Pipe interface {
	isPipe()
}

// Fields keeps only the named fields (or result columns), in this order.
type Fields struct{ Names []string }

// Sort orders the rows by the keys, the first key first. Without a sort,
// events come newest first and stats rows in the order of their by-fields.
type Sort struct{ Keys []SortKey }

// SortKey is one key of a Sort. Rows without the field come last in both
// directions.
type SortKey struct {
	Field string
	Desc  bool
}

// Head keeps the first N rows (events: the newest N unless sorted).
type Head struct{ N int64 }

// Where keeps the rows the filter matches. After stats its fields are the
// result columns (`where count > 5`).
type Where struct{ Filter Expr }

// Stats aggregates the rows into one row per distinct combination of the By
// fields (one row in all without By). Its columns are the By fields, then
// the aggregates.
type Stats struct {
	Aggs []Agg
	By   []string
}

// Timechart aggregates the rows into time buckets of Span, one row per
// bucket and combination of By fields that has events (long form). Its
// columns are TimeColumn, the By fields, then the aggregates. Span 0 asks
// the compiler to choose one from the time range (AutoSpan).
type Timechart struct {
	Span time.Duration
	Aggs []Agg
	By   []string
}

// TimeColumn is the column of a timechart that holds the start of a bucket.
const TimeColumn = "_time"

func (*Fields) isPipe()    {}
func (*Sort) isPipe()      {}
func (*Head) isPipe()      {}
func (*Where) isPipe()     {}
func (*Stats) isPipe()     {}
func (*Timechart) isPipe() {}

// AggFunc is an aggregate function of stats and timechart.
type AggFunc uint8

// The aggregate functions. Count without a field counts rows; with a field,
// rows that have it. DistinctCount (dc) counts distinct values; Values lists
// them, sorted.
const (
	Count AggFunc = iota + 1
	DistinctCount
	Min
	Max
	Avg
	Sum
	Values
)

var aggNames = map[string]AggFunc{
	"count": Count, "dc": DistinctCount, "distinct_count": DistinctCount,
	"min": Min, "max": Max, "avg": Avg, "mean": Avg, "sum": Sum, "values": Values,
}

func (f AggFunc) String() string {
	switch f {
	case Count:
		return "count"
	case DistinctCount:
		return "dc"
	case Min:
		return "min"
	case Max:
		return "max"
	case Avg:
		return "avg"
	case Sum:
		return "sum"
	case Values:
		return "values"
	}
	return "agg(" + strconv.Itoa(int(f)) + ")"
}

// Agg is one aggregate: a function of a field, named As in the result.
type Agg struct {
	Func  AggFunc
	Field string // "" only for count(), which counts rows
	As    string // "" for the default name
}

// Name is the result column of the aggregate: As, or by default "count" for
// count() and "func(field)" for the others (`dc(user.name)`).
func (a Agg) Name() string {
	if a.As != "" {
		return a.As
	}
	return a.defaultName()
}

func (a Agg) defaultName() string {
	if a.Field == "" {
		return a.Func.String()
	}
	return a.Func.String() + "(" + a.Field + ")"
}
