package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// rawScenario is a scenario file as the YAML decoder fills it: durations,
// sizes and verdicts are still text.
type rawScenario struct {
	Name        string       `yaml:"name"`
	Summary     string       `yaml:"summary"`
	Description string       `yaml:"description"`
	Workload    string       `yaml:"workload"`
	Program     []string     `yaml:"program"`
	Args        []string     `yaml:"args"`
	Cases       []rawCase    `yaml:"cases"`
	Generate    *rawGenerate `yaml:"generate"`
	Limits      rawLimits    `yaml:"limits"`
	Models      []string     `yaml:"models"`
	Measure     []string     `yaml:"measure"`
	Parallel    []int        `yaml:"parallel"`
	GOMAXPROCS  []int        `yaml:"gomaxprocs"`
	Pin         string       `yaml:"pin"`
	Repeat      *int         `yaml:"repeat"`
	HarnessHold string       `yaml:"harness_hold"`
	Checker     string       `yaml:"checker"`
}

// rawCase is one entry of cases in a scenario file.
type rawCase struct {
	Name          string   `yaml:"name"`
	Workload      string   `yaml:"workload"`
	Args          []string `yaml:"args"`
	Stdin         string   `yaml:"stdin"`
	Expect        string   `yaml:"expect"`
	ExpectVerdict string   `yaml:"expect_verdict"`
	Count         int      `yaml:"count"`
}

// rawGenerate is the generate entry of a scenario file.
type rawGenerate struct {
	Kind  string `yaml:"kind"`
	Sizes []int  `yaml:"sizes"`
	Seed  int64  `yaml:"seed"`
}

// rawLimits is the limits entry of a scenario file.
type rawLimits struct {
	CPUTime   string `yaml:"cpu_time"`
	RealTime  string `yaml:"real_time"`
	Memory    string `yaml:"memory"`
	Output    string `yaml:"output"`
	Stack     string `yaml:"stack"`
	Processes *int   `yaml:"processes"`
}

// Load reads the YAML scenario file at path (see [Parse]) and sets the
// scenario's File to path. Errors name path as given.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return nil, &fileError{file: path, err: err}
	}
	s, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	s.File = path
	return s, nil
}

// Parse decodes a YAML scenario file, given its name for errors and its
// contents, and checks it. Keys are snake_case and unknown keys are errors; a
// missing name defaults to the file's base name without its extension.
// Every error is one line starting "scenarios: NAME:LINE: ", without ":LINE"
// where no line applies.
func Parse(name string, data []byte) (*Scenario, error) {
	l := &loader{file: name, data: data}
	if err := l.parseTree(); err != nil {
		return nil, err
	}
	var raw rawScenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, l.yamlError(err)
	}
	if raw.Name == "" {
		raw.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	return l.scenario(&raw)
}

// loader holds what Parse knows of one file while it checks it.
type loader struct {
	file string
	data []byte
	root *yaml.Node // the top-level mapping
}

// parseTree parses l.data into l.root, and fails unless it is one YAML
// document holding a mapping.
func (l *loader) parseTree() error {
	dec := yaml.NewDecoder(bytes.NewReader(l.data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case err == io.EOF:
		return l.errorf(nil, "empty file: a scenario needs at least cases or generate")
	case err != nil:
		return l.yamlError(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return &fileError{file: l.file, line: next.Line, err: errors.New("more than one YAML document")}
	case err != io.EOF:
		return l.yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return l.errorf(nil, "not a YAML document")
	}
	root := deref(doc.Content[0])
	switch {
	case root.Kind == yaml.MappingNode:
		l.root = root
		return nil
	case root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null":
		return l.errorf(nil, "empty document: a scenario needs at least cases or generate")
	}
	what := map[yaml.Kind]string{yaml.SequenceNode: "a list", yaml.ScalarNode: "a single value"}[root.Kind]
	return &fileError{file: l.file, line: root.Line, err: fmt.Errorf("a scenario is a mapping (name: ..., workload: ..., cases: ...), not %s", cmp.Or(what, "this"))}
}

// errorf returns a [fileError] at the line of the value at keys.
func (l *loader) errorf(keys []any, format string, args ...any) error {
	return &fileError{file: l.file, line: l.lineOf(keys...), err: fmt.Errorf(format, args...)}
}

// wrap returns a [fileError] at the line of the value at keys, whose text is
// "PATH: err".
func (l *loader) wrap(keys []any, err error) error {
	return &fileError{file: l.file, line: l.lineOf(keys...), err: fmt.Errorf("%s: %w", pathString(keys), err)}
}
