package sigma

import (
	"errors"
	"fmt"
)

// ErrUnsupported is wrapped by the error of a valid rule that Vigil cannot
// run (a pySigma correlation extension, an unresolved placeholder, a regular expression
// RE2 cannot express, a logsource with no event source).
var ErrUnsupported = errors.New("unsupported sigma rule")

// ErrInvalid is wrapped by the error of a rule that is not valid Sigma.
var ErrInvalid = errors.New("invalid sigma rule")

// Reasons a rule is rejected. They are stable names: `vigil rules check`
// counts rejections by them.
const (
	ReasonYAML          = "yaml"              // the document is not YAML or not a mapping
	ReasonMissing       = "missing-section"   // no detection, condition or logsource
	ReasonSearch        = "invalid-search"    // a search identifier of an invalid shape
	ReasonCondition     = "invalid-condition" // the condition does not parse or names unknown searches
	ReasonModifier      = "unknown-modifier"  // a value modifier the specification does not define
	ReasonValue         = "invalid-value"     // a value its modifiers cannot apply to
	ReasonRegex         = "unsupported-regex" // a regular expression RE2 cannot compile
	ReasonPlaceholder   = "unresolved-placeholder"
	ReasonCorrelation   = "invalid-correlation" // a correlation section that is invalid or references rules that are not loaded
	ReasonWatchlist     = "invalid-watchlist"   // a watch-list read or action of an invalid shape
	ReasonFilter        = "filter-rule"         // Sigma meta filters are not applied yet
	ReasonCollection    = "rule-collection"     // legacy action: global/reset/repeat documents
	ReasonAggregation   = "aggregation"         // legacy `| count()` conditions and timeframe
	ReasonLogsource     = "unsupported-logsource"
	ReasonExpansionSize = "expansion-too-large" // windash/expand produced too many values
)

// RuleError is the error of a rule that was rejected.
type RuleError struct {
	// Reason is one of the Reason* constants.
	Reason string
	// Detail says what in the rule caused it.
	Detail string
	// Err is ErrUnsupported or ErrInvalid.
	Err error
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("%s: %s", e.Reason, e.Detail)
}

func (e *RuleError) Unwrap() error { return e.Err }

func unsupported(reason, format string, args ...any) error {
	return &RuleError{Reason: reason, Detail: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

func invalid(reason, format string, args ...any) error {
	return &RuleError{Reason: reason, Detail: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// ReasonOf returns the Reason of err's RuleError, or ReasonYAML-style
// "error" when err is not one.
func ReasonOf(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Reason
	}
	return "error"
}
