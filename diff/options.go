package diff

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Options tunes Compare. The zero value compares content with the default
// volatile values ignored, and no timing.
type Options struct {
	// Strict compares everything: the default ignore list (ids and
	// timestamps, see the package documentation) is off. Ignore still
	// applies.
	Strict bool
	// Ignore lists extra paths, in the package's path syntax, whose values
	// are not compared (with everything below them).
	Ignore []string
	// Timing, when not zero, reports paired events whose offsets differ by
	// more than this factor (at least 1); offsets under MinTimingOffset count
	// as MinTimingOffset, so scheduling jitter is not reported.
	Timing float64
}

// MinTimingOffset is the floor under offsets compared for timing: a 50µs and
// a 2ms offset are both "immediate".
const MinTimingOffset = 10 * time.Millisecond

// Validate reports an ignore path that does not parse or a timing factor out
// of range. Compare skips invalid paths, so callers validate user input
// first.
func (o Options) Validate() error {
	var errs []error
	for _, s := range o.Ignore {
		if _, err := ParsePattern(s); err != nil {
			errs = append(errs, err)
		}
	}
	if t := o.Timing; t != 0 && (t < 1 || math.IsInf(t, 0) || math.IsNaN(t)) {
		errs = append(errs, fmt.Errorf("timing factor %v: want 0 (off) or at least 1", t))
	}
	return errors.Join(errs...)
}

// patterns returns the ignore paths that parse.
func (o Options) patterns() []Pattern {
	var ps []Pattern
	for _, s := range o.Ignore {
		if p, err := ParsePattern(s); err == nil {
			ps = append(ps, p)
		}
	}
	return ps
}
