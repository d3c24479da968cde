package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// problemDir makes a directory holding the given files, empty, and returns it.
func problemDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestProblemDir(t *testing.T) {
	prog := []string{"./sol", "-x"}
	dir := problemDir(t, "10.in", "10.out", "2.in", "2.ans", "1.in", "1.out", "README", "01.in", "3.txt", "x.in", "1.in.bak")
	if err := os.Mkdir(filepath.Join(dir, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := ProblemDir(dir, prog)
	if err != nil {
		t.Fatalf("ProblemDir(%q) error: %v", dir, err)
	}
	tc := func(n, exp string) Case {
		return Case{Name: n, Program: prog, StdinFile: filepath.Join(dir, n+".in"), ExpectFile: filepath.Join(dir, exp)}
	}
	want := []Case{tc("1", "1.out"), tc("2", "2.ans"), tc("10", "10.out")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ProblemDir(%q) = %+v; want %+v", dir, got, want)
	}
}

func TestProblemDirRelative(t *testing.T) {
	dir := problemDir(t, "1.in", "1.out")
	t.Chdir(dir)
	got, err := ProblemDir(".", []string{"p"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !filepath.IsAbs(got[0].StdinFile) || !filepath.IsAbs(got[0].ExpectFile) {
		t.Errorf(`ProblemDir(".") = %+v; want absolute paths`, got)
	}
}

func TestProblemDirErrors(t *testing.T) {
	prog := []string{"./sol"}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		program []string
		want    string // after "scenarios: DIR: "
	}{
		{"missing", filepath.Join(t.TempDir(), "nosuch"), prog, "no such file or directory"},
		{"not a directory", file, prog, "not a directory"},
		{"no program", problemDir(t, "1.in", "1.out"), nil, "a problem directory needs a program: run DIR -- PROG ARGS"},
		{"empty program", problemDir(t, "1.in", "1.out"), []string{""}, "a problem directory needs a program: run DIR -- PROG ARGS"},
		{"empty", problemDir(t), prog, "no test cases (N.in with N.out or N.ans)"},
		{"only outputs", problemDir(t, "1.out", "notes.txt"), prog, "no test cases (N.in with N.out or N.ans)"},
		{"in without out", problemDir(t, "1.in", "1.out", "3.in"), prog, "3.in has no 3.out or 3.ans"},
		{"out without in", problemDir(t, "1.in", "1.out", "2.out"), prog, "2.out has no 2.in"},
		{"ans without in", problemDir(t, "1.in", "1.out", "2.ans"), prog, "2.ans has no 2.in"},
		{"out and ans", problemDir(t, "1.in", "1.out", "1.ans"), prog, "1 has both 1.out and 1.ans: keep one"},
		{"named pipe", withNode(t, problemDir(t, "1.in", "1.out", "2.out"), "2.in", "fifo"), prog, "2.in: not a regular file (a named pipe)"},
		{"directory", withNode(t, problemDir(t, "1.in", "1.out"), "2.ans", "dir"), prog, "2.ans has no 2.in"},
		{"directory input", withNode(t, problemDir(t, "1.out"), "1.in", "dir"), prog, "1.in: not a regular file (a directory)"},
		{"device", withNode(t, problemDir(t, "1.in"), "1.out", "/dev/zero"), prog, "1.out: not a regular file (a character device)"},
		{"dangling link", withNode(t, problemDir(t, "1.in"), "1.ans", "/no/such/file"), prog, "1.ans: no such file or directory"},
		{"link to null", withNode(t, problemDir(t, "1.in"), "1.ans", os.DevNull), prog, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProblemDir(tt.dir, tt.program)
			want := "scenarios: " + tt.dir + ": " + tt.want
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != want) {
				t.Errorf("ProblemDir(%q, %q) = %v; want %s", tt.dir, tt.program, err, want)
			}
		})
	}
}

// withNode adds name to dir: a named pipe ("fifo"), a directory ("dir"), or
// a symbolic link to any other path. It returns dir.
func withNode(t *testing.T, dir, name, what string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	var err error
	switch what {
	case "fifo":
		err = syscall.Mkfifo(path, 0o644)
	case "dir":
		err = os.Mkdir(path, 0o755)
	default:
		err = os.Symlink(what, path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
