package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

// builtinFS holds the built-in scenarios, one NAME.yaml file each.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin returns the built-in scenario called name and whether there is one.
// Each call returns a new Scenario, which the caller may change.
func Builtin(name string) (*Scenario, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	file := "builtin/" + name + ".yaml"
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, false
	}
	return mustParseBuiltin(file, data), true
}

// Builtins returns every built-in scenario, sorted by name. The caller may
// change them.
func Builtins() []*Scenario {
	files, err := fs.Glob(builtinFS, "builtin/*.yaml") // sorted
	if err != nil {
		panic("scenarios: built-in scenarios: " + err.Error())
	}
	all := make([]*Scenario, 0, len(files))
	for _, file := range files {
		data, err := builtinFS.ReadFile(file)
		if err != nil {
			panic("scenarios: built-in scenarios: " + err.Error())
		}
		all = append(all, mustParseBuiltin(file, data))
	}
	return all
}

// mustParseBuiltin parses the embedded file; the tests make sure it cannot
// fail.
func mustParseBuiltin(file string, data []byte) *Scenario {
	s, err := Parse(file, data)
	if err != nil {
		panic(err)
	}
	if want := strings.TrimSuffix(path.Base(file), ".yaml"); s.Name != want {
		panic("scenarios: " + file + ": name " + s.Name + ", want " + want)
	}
	return s
}
