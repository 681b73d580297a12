package config_test

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestPatternsConfig(t *testing.T) {
	c, err := config.Parse([]byte("patterns:\n  learn_events: 5\n  learn_period: 1ns\n  similarity: 0.7\n  max_patterns: 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Patterns
	if p.LearnEvents != 5 || p.LearnPeriod.D() != time.Nanosecond || p.Similarity != 0.7 || p.MaxPatterns != 10 || p.Disabled {
		t.Fatalf("patterns = %+v", p)
	}
	c, err = config.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Patterns.LearnEvents != config.DefaultPatternLearnEvents || c.Patterns.LearnPeriod != config.DefaultPatternLearnPeriod {
		t.Fatalf("defaults = %+v", c.Patterns)
	}
	for _, bad := range []string{"patterns: {similarity: 1.5}", "patterns: {max_patterns: -1}", "patterns: {learn_events: -2}", "patterns: {nope: 1}"} {
		if _, err := config.Parse([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
