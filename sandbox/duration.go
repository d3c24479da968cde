package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// durationHint ends the errors of [ParseDuration].
const durationHint = "e.g. 500ms, 2s"

// ParseDuration parses a Go duration such as "500ms", "2s" or "1m30s" for a limit.
//
// Unlike [time.ParseDuration] it rejects negative durations, and it rejects bare numbers
// other than "0" instead of guessing their unit.
func ParseDuration(s string) (time.Duration, error) {
	switch {
	case s == "":
		return 0, fmt.Errorf("invalid duration %q: empty (%s)", s, durationHint)
	case s == "0":
		return 0, nil
	case strings.Trim(s, "+-.0123456789") == "":
		return 0, fmt.Errorf("invalid duration %q: missing unit (%s)", s, durationHint)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		// time's errors repeat the input; keep only what they add to it.
		reason := strings.TrimPrefix(err.Error(), "time: ")
		if strings.HasPrefix(reason, "invalid duration") {
			reason = "not a Go duration"
		}
		return 0, fmt.Errorf("invalid duration %q: %s (%s)", s, reason, durationHint)
	}
	if d < 0 {
		return 0, fmt.Errorf("invalid duration %q: negative", s)
	}
	return d, nil
}
