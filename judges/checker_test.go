package judges

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// TestCheckerProgram: a checker program sees the case's input even when the
// case read it from a reader (a judge reads it once), and its exit status is
// judged as the sandbox judges it: 0 accepts, 1 or 2 rejects with its
// comment, anything else is the checker's failure, a SYSTEM_ERROR. Run
// through the bash judge of testdata/command, which needs no peer.
func TestCheckerProgram(t *testing.T) {
	for _, p := range []string{"/bin/bash", "/usr/bin/timeout", "/bin/cat"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("no %s: %v", p, err)
		}
	}
	e := openTestJudge(t, "bash.yaml", nil)
	dir := t.TempDir()
	checker := func(name, body string) sandbox.Checker {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
		return sandbox.CheckProgram(path)
	}
	for _, c := range []struct {
		name    string
		checker sandbox.Checker
		want    sandbox.Verdict
		message string
	}{
		// The input is what cat printed: the checker compares the two.
		{"sees the input", checker("same", `cmp -s "$1" "$2" || { echo "input differs" >&2; exit 1; }`), sandbox.Accepted, ""},
		{"rejects", checker("reject", `echo "wrong on line 1" >&2; exit 2`), sandbox.WrongAnswer, "wrong on line 1"},
		{"fails", checker("fail", `echo "cannot read the answer" >&2; exit 3`), sandbox.SystemError, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := &sandbox.Command{Path: "/bin/cat", Stdin: strings.NewReader("3\n1 2 3\n"), Expect: strings.NewReader("anything\n"),
				Checker: c.checker, Limits: sandbox.Limits{CPUTime: 5 * time.Second}}
			r := e.Run(t.Context(), cmd)
			if r.Verdict != c.want || r.CheckerMessage != c.message {
				t.Errorf("%s: %v, message %q, error %q; want %v, %q", c.name, r.Verdict, r.CheckerMessage, r.Error, c.want, c.message)
			}
			if c.want == sandbox.SystemError && !strings.Contains(r.Error, "cannot read the answer") {
				t.Errorf("%s: error %q; want the checker's own words", c.name, r.Error)
			}
		})
	}
}
