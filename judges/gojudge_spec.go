package judges

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// gjTarget is an element of the spec: a server's URL, or the go-judge
// binary bin judgebench starts.
type gjTarget struct{ url, bin string }

// parseGoJudgeSpec splits a comma-separated list of http and https URLs and
// paths of go-judge binaries (an element without "://" that names an
// executable file).
func parseGoJudgeSpec(arg string) ([]gjTarget, error) {
	var targets []gjTarget
	for s := range strings.SplitSeq(arg, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, fmt.Errorf("judges: go-judge: empty URL in %q", arg)
		}
		if !strings.Contains(s, "://") {
			if _, err := os.Stat(s); err == nil || strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") {
				bin, err := filepath.Abs(s)
				if err == nil {
					_, err = checkExecutable(bin)
				}
				if err != nil {
					return nil, fmt.Errorf("judges: go-judge: %w", err)
				}
				targets = append(targets, gjTarget{bin: bin})
				continue
			}
		}
		u, err := parseGoJudgeURL(s)
		if err != nil {
			return nil, err
		}
		targets = append(targets, gjTarget{url: u})
	}
	return targets, nil
}

// parseGoJudgeURL checks an http or https URL and returns it without a
// trailing slash.
func parseGoJudgeURL(s string) (string, error) {
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "", fmt.Errorf("judges: go-judge URL %q: want http:// or https://, or the path of a go-judge binary", s)
	}
	u, err := url.Parse(s)
	if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("judges: go-judge URL %q: %w", s, err)
	case u.Host == "":
		return "", fmt.Errorf("judges: go-judge URL %q: no host", s)
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("judges: go-judge URL %q: a query or fragment has no meaning here", s)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}
