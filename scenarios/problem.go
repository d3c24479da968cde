package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/judgebench/judgebench/sandbox"
)

// problemTest is what a problem directory holds for one test number.
type problemTest struct {
	num          string // canonical decimal, "1", "10"
	in, out, ans bool
}

// ProblemDir returns the cases of a problem directory in the layout of
// QingdaoU's test-case archives: N.in with N.out or N.ans for each test N, a
// positive integer written without leading zeros, each a regular file (or a
// link to one): a named pipe, a device or a directory is refused, before any
// case runs, since reading it may never end. Other files are ignored.
// Case N runs program (argv) with stdin from N.in and expects the contents of
// N.out or N.ans; cases come in numeric order (2 before 10) and their files
// are absolute paths. Errors are one line naming dir.
func ProblemDir(dir string, program []string) ([]Case, error) {
	fail := func(format string, args ...any) error {
		return &fileError{file: dir, err: fmt.Errorf(format, args...)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return nil, &fileError{file: dir, err: err}
	}
	if len(program) == 0 || program[0] == "" {
		return nil, fail("a problem directory needs a program: run DIR -- PROG ARGS")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &fileError{file: dir, err: err}
	}
	tests := problemTests(entries)
	if !slices.ContainsFunc(tests, func(t *problemTest) bool { return t.in }) {
		return nil, fail("no test cases (N.in with N.out or N.ans)")
	}
	cases := make([]Case, 0, len(tests))
	for _, t := range tests {
		n := t.num
		switch {
		case !t.in && t.out:
			return nil, fail("%s.out has no %s.in", n, n)
		case !t.in:
			return nil, fail("%s.ans has no %s.in", n, n)
		case !t.out && !t.ans:
			return nil, fail("%s.in has no %s.out or %s.ans", n, n, n)
		case t.out && t.ans:
			return nil, fail("%s has both %s.out and %s.ans: keep one", n, n, n)
		}
		expect := n + ".out"
		if t.ans {
			expect = n + ".ans"
		}
		for _, name := range []string{n + ".in", expect} {
			if err := sandbox.CheckInput(filepath.Join(abs, name)); err != nil {
				if ie, ok := errors.AsType[*sandbox.InputError](err); ok {
					return nil, fail("%s: not a regular file (%s)", name, ie.Kind)
				}
				if pe, ok := errors.AsType[*fs.PathError](err); ok {
					err = pe.Err
				}
				return nil, fail("%s: %v", name, err)
			}
		}
		cases = append(cases, Case{
			Name:       n,
			Program:    slices.Clone(program),
			StdinFile:  filepath.Join(abs, n+".in"),
			ExpectFile: filepath.Join(abs, expect),
		})
	}
	return cases, nil
}

// problemTests returns the tests that entries name, in numeric order.
func problemTests(entries []fs.DirEntry) []*problemTest {
	byNum := make(map[string]*problemTest)
	for _, e := range entries {
		num, ext, ok := strings.Cut(e.Name(), ".")
		if !ok || !isTestNumber(num) {
			continue
		}
		t := byNum[num]
		if t == nil {
			t = &problemTest{num: num}
		}
		switch ext {
		case "in":
			t.in = true
		case "out":
			t.out = true
		case "ans":
			t.ans = true
		default:
			continue
		}
		byNum[num] = t
	}
	tests := make([]*problemTest, 0, len(byNum))
	for _, t := range byNum {
		tests = append(tests, t)
	}
	// Canonical numbers compare by length, then digit by digit.
	slices.SortFunc(tests, func(a, b *problemTest) int {
		return cmp.Or(cmp.Compare(len(a.num), len(b.num)), strings.Compare(a.num, b.num))
	})
	return tests
}

// isTestNumber reports whether s is a positive decimal integer without
// leading zeros.
func isTestNumber(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
