package judges

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
	"go.yaml.in/yaml/v3"
)

// A command judge is any judge run as one command per case, described in a
// YAML file (command:FILE):
//
//	name: judger-cli                      # default: FILE's base name without extension
//	version: ["{judge}", "--version"]     # optional: its first output line is the version
//	vars: {judge: /path/to/libjudger.so}  # optional: named values for placeholders
//	run: ["{judge}", "--exe_path={program}", "--args={args}", "--max_cpu_time={cpu_time_ms}", ...]
//	stdin: file       # file: {stdin} is the input's path; pipe: the judge's stdin (default: file when run has {stdin})
//	stdout: file      # file: {stdout} is where the judge writes the output; pipe: the judge's stdout is it
//	stderr: file      # file: {stderr}; pipe: the judge's stderr is the program's
//	ok_exit: [0]      # the judge's exit statuses that mean it ran the case (default [0])
//	log: "{dir}/judger.log"  # optional: a file whose last line explains a SYSTEM_ERROR
//	result:
//	  from: stdout    # stdout, stderr, or file:PATH (file: is file:{result})
//	  format: json    # json (fields by name, a.b for nesting) or lines (key:value or key=value)
//	  verdict: result
//	  verdicts: {"0": ACCEPTED, "1": CPU_TIME_LIMIT_EXCEEDED}
//	  default_verdict: ACCEPTED      # when the verdict field is absent
//	  cpu_time: {field: cpu_time, unit: ms}   # ns, us, ms, s, or ns per unit
//	  real_time: {field: real_time, unit: ms}
//	  memory: {field: memory, unit: B}        # B, KiB, MiB, GiB, or bytes per unit
//	  exit_code: exit_code
//	  signal: signal
//	  error: error    # a value other than "" and "0" is the judge's own failure
//
// A placeholder is {name}; {{ and }} are literal braces, and a brace not
// around a name is itself. An element of run that holds {args} (or {env})
// is repeated once per argument (per NAME=value of the command's Env), and
// left out when there are none. The placeholders: {program} (a copy of the
// program any uid may run; {program_dir}, {program_name} its parts),
// {args}, {env}, {stdin}, {stdout}, {stderr} (per-case file paths, when
// the stream is file), {result} (a per-case path for the judge's result),
// {dir} (a per-case directory), {slot}, {uid} (64500 + slot), the limits
// {cpu_time_ms} {cpu_time_s} {cpu_time_ns} {real_time_ms} {real_time_s}
// {real_time_ns} {memory_bytes} {memory_kib} {memory_mib} {stack_bytes}
// {stack_kib} {output_bytes} {output_kib} {processes} (whole units round
// up; seconds are fractional), and the vars, which are literal text. version
// may hold vars only.

// rawCommand is a command judge's description as the YAML decoder fills it;
// as JSON it is the executor's Config.
type rawCommand struct {
	Name    string            `yaml:"name" json:"name"`
	Version []string          `yaml:"version" json:"version,omitempty"`
	Vars    map[string]string `yaml:"vars" json:"vars,omitempty"`
	Run     []string          `yaml:"run" json:"run"`
	Stdin   string            `yaml:"stdin" json:"stdin"`
	Stdout  string            `yaml:"stdout" json:"stdout"`
	Stderr  string            `yaml:"stderr" json:"stderr"`
	OKExit  []int             `yaml:"ok_exit" json:"ok_exit"`
	Log     string            `yaml:"log" json:"log,omitempty"`
	Result  *rawResult        `yaml:"result" json:"result"`
}

// rawResult says where the judge's result is and what its fields mean.
type rawResult struct {
	From           string            `yaml:"from" json:"from"`
	Format         string            `yaml:"format" json:"format"`
	Verdict        string            `yaml:"verdict" json:"verdict"`
	Verdicts       map[string]string `yaml:"verdicts" json:"verdicts"`
	DefaultVerdict string            `yaml:"default_verdict" json:"default_verdict,omitempty"`
	CPUTime        *rawFigure        `yaml:"cpu_time" json:"cpu_time,omitempty"`
	RealTime       *rawFigure        `yaml:"real_time" json:"real_time,omitempty"`
	Memory         *rawFigure        `yaml:"memory" json:"memory,omitempty"`
	ExitCode       string            `yaml:"exit_code" json:"exit_code,omitempty"`
	Signal         string            `yaml:"signal" json:"signal,omitempty"`
	Error          string            `yaml:"error" json:"error,omitempty"`
}

// rawFigure is a numeric field of the result and its unit.
type rawFigure struct {
	Field string `yaml:"field" json:"field"`
	Unit  string `yaml:"unit" json:"unit"`
}

// commandJudge is an Executor that runs each case as one command.
type commandJudge struct {
	spec    string
	file    string
	root    *yaml.Node // the description's top-level mapping
	raw     rawCommand
	version string
	w       *workdir

	run      []template
	from     template // nil: the judge's stdout or stderr (raw.Result.From)
	log      template
	verdicts map[string]sandbox.Verdict
	def      sandbox.Verdict // 0: none
	scale    [3]float64      // ns or bytes per unit of cpu_time, real_time, memory
}

var _ Executor = (*commandJudge)(nil)

// openCommand reads the judge description at file, checks it, and reads the
// judge's version when the description says how.
func openCommand(ctx context.Context, file string) (Executor, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return nil, &descError{file: file, msg: err.Error()}
	}
	j, err := parseCommand(file, data)
	if err != nil {
		return nil, err
	}
	j.spec = "command:" + file
	if err := j.checkJudge(ctx); err != nil {
		return nil, err
	}
	if j.w, err = newWorkdir("command"); err != nil {
		return nil, err
	}
	return j, nil
}

// Describe says which judge this is and how it is driven.
func (j *commandJudge) Describe() results.JudgeInfo {
	config, _ := json.Marshal(j.raw)
	return results.JudgeInfo{Executor: "command:" + j.raw.Name, Spec: j.spec, Version: j.version, Config: config}
}

// Close removes the executor's files.
func (j *commandJudge) Close() error { return j.w.Close() }

// checkJudge fails when the judge's program (run's first element, when it
// holds no per-case placeholder) is missing, and reads the version.
func (j *commandJudge) checkJudge(ctx context.Context) error {
	vars := j.raw.Vars
	if prog, ok := j.run[0].expandWith(vars); ok {
		if _, err := lookExecutable(prog); err != nil {
			return &descError{file: j.file, line: j.line("run", 0), msg: "run[0]: " + err.Error()}
		}
	}
	if len(j.raw.Version) == 0 {
		return nil
	}
	argv := make([]string, len(j.raw.Version))
	for i, s := range j.raw.Version {
		argv[i], _ = parseTemplate(s).expandWith(vars)
	}
	v, err := readVersion(ctx, argv)
	if err != nil {
		return &descError{file: j.file, line: j.line("version"), msg: "version: " + err.Error()}
	}
	j.version = v
	return nil
}

// line is the line of the value at keys in the description; 0 when unknown.
func (j *commandJudge) line(keys ...any) int { return lineOf(j.root, keys...) }

// lookExecutable returns the path of the program prog names (a name without
// a slash is looked up in PATH), or why it cannot run.
func lookExecutable(prog string) (string, error) {
	if !strings.Contains(prog, "/") {
		return exec.LookPath(prog)
	}
	st, err := os.Stat(prog)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return "", fmt.Errorf("%s: %w", prog, err)
	}
	if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s: not an executable file", prog)
	}
	return prog, nil
}

// readVersion runs argv and returns the first non-empty line it prints
// (stdout, else stderr).
func readVersion(ctx context.Context, argv []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Stdout, c.Stderr = &stdout, &stderr
	c.WaitDelay = time.Second
	if err := c.Run(); err != nil {
		if msg := firstLine(stderr.Bytes()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	if v := firstLine(stdout.Bytes()); v != "" {
		return v, nil
	}
	return firstLine(stderr.Bytes()), nil
}

// firstLine is the first non-blank line of b, trimmed.
func firstLine(b []byte) string {
	for line := range strings.Lines(string(b)) {
		if s := strings.TrimSpace(line); s != "" {
			return s
		}
	}
	return ""
}

// descError is an error in a judge description: one line,
// "judges: FILE:LINE: what is wrong", without ":LINE" when no line applies.
type descError struct {
	file string
	line int // 1-based; 0: unknown
	msg  string
}

func (e *descError) Error() string {
	where := e.file
	if e.line > 0 {
		where += ":" + strconv.Itoa(e.line)
	}
	s := "judges: " + where + ": " + e.msg
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// placeholders are the placeholders every case gives a value, besides
// those that depend on the description (stdin, stdout, stderr, result).
var placeholders = []string{
	"program", "program_dir", "program_name", "args", "env", "dir", "slot", "uid",
	"cpu_time_ms", "cpu_time_s", "cpu_time_ns", "real_time_ms", "real_time_s", "real_time_ns",
	"memory_bytes", "memory_kib", "memory_mib", "stack_bytes", "stack_kib",
	"output_bytes", "output_kib", "processes",
}

// repeated are the placeholders that repeat their element of run.
var repeated = []string{"args", "env"}

// template is a string with placeholders, parsed: literal text and names
// alternate, starting with text.
type template []string

var placeholderRE = regexp.MustCompile(`\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}`)

// parseTemplate splits s into literal text and placeholder names. Only
// {NAME} with NAME a letter or underscore then letters, digits or
// underscores is a placeholder; {{ and }} are literal braces, and any other
// brace is itself.
func parseTemplate(s string) template {
	t := template{""}
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
		t[len(t)-1] += s[last:m[0]]
		switch tok := s[m[0]:m[1]]; tok {
		case "{{", "}}":
			t[len(t)-1] += tok[:1]
		default:
			t = append(t, tok[1:len(tok)-1], "")
		}
		last = m[1]
	}
	t[len(t)-1] += s[last:]
	return t
}

// names are the placeholders of t, in order.
func (t template) names() []string {
	var names []string
	for i := 1; i < len(t); i += 2 {
		names = append(names, t[i])
	}
	return names
}

// expand replaces each placeholder with its value; one missing is empty.
func (t template) expand(values map[string]string) string {
	s, _ := t.expandWith(values)
	return s
}

// expandWith replaces each placeholder with its value, and reports whether
// every one had a value.
func (t template) expandWith(values map[string]string) (string, bool) {
	var b strings.Builder
	ok := true
	for i, s := range t {
		if i%2 == 0 {
			b.WriteString(s)
			continue
		}
		v, found := values[s]
		ok = ok && found
		b.WriteString(v)
	}
	return b.String(), ok
}

// expandArgv expands each element of run: an element holding {args} or
// {env} once per item of lists["args"] or lists["env"], every other one
// once.
func expandArgv(run []template, values map[string]string, lists map[string][]string) []string {
	var argv []string
	for _, t := range run {
		rep := ""
		for _, name := range t.names() {
			if slices.Contains(repeated, name) {
				rep = name
			}
		}
		if rep == "" {
			argv = append(argv, t.expand(values))
			continue
		}
		for _, item := range lists[rep] {
			values[rep] = item
			argv = append(argv, t.expand(values))
		}
		delete(values, rep)
	}
	return argv
}

// parseCommand decodes and checks a judge description, given its file name
// for errors and its contents. Unknown keys are errors; every error is one
// line, "judges: FILE:LINE: what is wrong".
func parseCommand(file string, data []byte) (*commandJudge, error) {
	j := &commandJudge{file: file}
	if err := j.parseTree(data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&j.raw); err != nil {
		return nil, j.yamlError(err)
	}
	if err := j.check(); err != nil {
		return nil, err
	}
	return j, nil
}

// parseTree parses data into j.root, and fails unless it is one YAML
// document holding a mapping.
func (j *commandJudge) parseTree(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	switch err := dec.Decode(&doc); {
	case err == io.EOF:
		return &descError{file: j.file, msg: "empty file: a judge description needs run and result"}
	case err != nil:
		return j.yamlError(err)
	}
	switch err := dec.Decode(&next); {
	case err == nil:
		return &descError{file: j.file, line: next.Line, msg: "more than one YAML document"}
	case err != io.EOF:
		return j.yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return &descError{file: j.file, msg: "not a YAML document"}
	}
	root := doc.Content[0]
	for i := 0; root.Kind == yaml.AliasNode && root.Alias != nil && i < 100; i++ {
		root = root.Alias
	}
	if root.Kind != yaml.MappingNode {
		return &descError{file: j.file, line: root.Line, msg: "a judge description is a mapping (name: ..., run: ..., result: ...)"}
	}
	j.root = root
	return nil
}

var (
	yamlLineRE   = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownKeyRE = regexp.MustCompile(`^field (.+) not found in type \S+$`)
	twiceRE      = regexp.MustCompile(`^(?:field (.+) already set in type \S+|mapping key "(.*)" already defined at line \d+)$`)
	unmarshalRE  = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
)

// yamlError turns an error of the YAML decoder into a descError in the
// words of a judge description.
func (j *commandJudge) yamlError(err error) error {
	msg := err.Error()
	if te, ok := errors.AsType[*yaml.TypeError](err); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return &descError{file: j.file, msg: msg}
	}
	line, _ := strconv.Atoi(m[1])
	msg = m[2]
	switch {
	case unknownKeyRE.MatchString(msg):
		key := unknownKeyRE.FindStringSubmatch(msg)[1]
		msg = fmt.Sprintf("unknown key %q", key)
		if near := results.Closest(key, descKeys); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
	case twiceRE.MatchString(msg):
		m := twiceRE.FindStringSubmatch(msg)
		msg = fmt.Sprintf("key %q given twice", m[1]+m[2])
	case unmarshalRE.MatchString(msg):
		m := unmarshalRE.FindStringSubmatch(msg)
		got := map[string]string{"!!seq": "a list", "!!map": "a mapping"}[m[1]]
		if got == "" {
			got = strconv.Quote(m[2])
		}
		msg = "want " + kindOf(m[3]) + ", got " + got
		if path := pathOnLine(j.root, line, m[1], m[2]); path != "" {
			msg = path + ": " + msg
		}
	}
	return &descError{file: j.file, line: line, msg: msg}
}

// descKeys are the keys of a judge description, for "did you mean".
var descKeys = []string{
	"name", "version", "vars", "run", "stdin", "stdout", "stderr", "ok_exit", "log", "result",
	"from", "format", "verdict", "verdicts", "default_verdict", "cpu_time", "real_time", "memory",
	"exit_code", "signal", "error", "field", "unit",
}

// kindOf says what a value decoded into the Go type named into must be.
func kindOf(into string) string {
	switch {
	case into == "string":
		return "a string"
	case strings.HasPrefix(into, "int"):
		return "an integer"
	case strings.HasPrefix(into, "[]"):
		return "a list"
	}
	return "a mapping"
}

// lineOf returns the line of the value at keys under n (string: a mapping
// key, whose own line counts; int: a list index), or of the deepest node on
// the way that exists.
func lineOf(n *yaml.Node, keys ...any) int {
	if n == nil {
		return 0
	}
	line := n.Line
	for _, k := range keys {
		key, v := child(n, k)
		if v == nil {
			break
		}
		n, line = v, v.Line
		if key != nil {
			line = key.Line
		}
	}
	return line
}

// child returns the value under k of n (and for a mapping key, the key's
// node), or nil.
func child(n *yaml.Node, k any) (key, value *yaml.Node) {
	switch k := k.(type) {
	case string:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					return n.Content[i], n.Content[i+1]
				}
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
			return nil, n.Content[k]
		}
	}
	return nil, nil
}

// pathOnLine returns the path ("result.cpu_time", "run[2]") of the first
// value under n on line tagged tag whose text starts as value does (the
// decoder cuts long values to "1234567..."), or "".
func pathOnLine(n *yaml.Node, line int, tag, value string) string {
	value = strings.TrimSuffix(value, "...")
	match := func(n *yaml.Node) bool {
		return n.Line == line && n.ShortTag() == tag && strings.HasPrefix(n.Value, value)
	}
	var walk func(n *yaml.Node, path string, depth int) (string, bool)
	walk = func(n *yaml.Node, path string, depth int) (string, bool) {
		if n == nil || depth > 50 {
			return "", false
		}
		var subs []string
		var nodes []*yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				subs = append(subs, strings.TrimPrefix(path+"."+n.Content[i].Value, "."))
				nodes = append(nodes, n.Content[i+1])
			}
		case yaml.SequenceNode:
			for i, v := range n.Content {
				subs = append(subs, fmt.Sprintf("%s[%d]", path, i))
				nodes = append(nodes, v)
			}
		}
		for i, v := range nodes {
			if match(v) {
				return subs[i], true
			}
			if p, ok := walk(v, subs[i], depth+1); ok {
				return p, true
			}
		}
		return "", false
	}
	p, _ := walk(n, "", 0)
	return p
}

// errorf returns a descError at the line of the value at keys, whose text
// is "PATH: " (the keys as a path) and the message.
func (j *commandJudge) errorf(keys []any, format string, args ...any) error {
	var path strings.Builder
	for _, k := range keys {
		switch k := k.(type) {
		case int:
			fmt.Fprintf(&path, "[%d]", k)
		default:
			if path.Len() > 0 {
				path.WriteByte('.')
			}
			fmt.Fprint(&path, k)
		}
	}
	msg := fmt.Sprintf(format, args...)
	if path.Len() > 0 {
		msg = path.String() + ": " + msg
	}
	return &descError{file: j.file, line: j.line(keys...), msg: msg}
}

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	varRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// check fills in the defaults of j.raw and checks it, and parses its
// templates, verdicts and units.
func (j *commandJudge) check() error {
	raw := &j.raw
	if raw.Name == "" {
		raw.Name = strings.TrimSuffix(filepath.Base(j.file), filepath.Ext(j.file))
	}
	if !nameRE.MatchString(raw.Name) {
		return j.errorf([]any{"name"}, "%q: want letters, digits, '.', '_' or '-'", raw.Name)
	}
	if len(raw.Run) == 0 {
		return j.errorf(nil, "no run: the judge's command line, one element per argument")
	}
	if raw.Result == nil {
		return j.errorf(nil, "no result: where the judge's result is and what its fields mean")
	}
	for name := range raw.Vars {
		if !varRE.MatchString(name) {
			return j.errorf([]any{"vars", name}, "a name is a letter or '_', then letters, digits or '_'")
		}
		if slices.Contains(placeholders, name) || slices.Contains([]string{"stdin", "stdout", "stderr", "result"}, name) {
			return j.errorf([]any{"vars", name}, "{%s} is judgebench's own placeholder", name)
		}
	}
	for i, s := range raw.Version {
		if err := j.checkTemplate([]any{"version", i}, parseTemplate(s), nil); err != nil {
			return err
		}
	}
	if len(raw.OKExit) == 0 {
		raw.OKExit = []int{0}
	}
	for _, f := range []func() error{j.checkStreams, j.checkRun, j.checkResult} {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// uses reports whether an element of run holds placeholder name.
func (j *commandJudge) uses(name string) bool {
	for _, s := range j.raw.Run {
		if slices.Contains(parseTemplate(s).names(), name) {
			return true
		}
	}
	return false
}

// checkStreams checks stdin, stdout and stderr against run, and gives the
// ones left out their default: file when run has the placeholder, else pipe.
func (j *commandJudge) checkStreams() error {
	for _, s := range []struct {
		key  string
		mode *string
	}{{"stdin", &j.raw.Stdin}, {"stdout", &j.raw.Stdout}, {"stderr", &j.raw.Stderr}} {
		used := j.uses(s.key)
		switch *s.mode {
		case "":
			*s.mode = map[bool]string{true: "file", false: "pipe"}[used]
		case "file":
			if !used {
				return j.errorf([]any{s.key}, "file, but no element of run holds {%s}", s.key)
			}
		case "pipe":
			if used {
				return j.errorf([]any{s.key}, "pipe, but run holds {%s}: say file", s.key)
			}
		default:
			return j.errorf([]any{s.key}, "%q: want file or pipe", *s.mode)
		}
	}
	return nil
}

// checkRun parses run's elements and checks their placeholders.
func (j *commandJudge) checkRun() error {
	extra := []string{"result"}
	for _, s := range []struct{ key, mode string }{{"stdin", j.raw.Stdin}, {"stdout", j.raw.Stdout}, {"stderr", j.raw.Stderr}} {
		if s.mode == "file" {
			extra = append(extra, s.key)
		}
	}
	known := append(slices.Clone(placeholders), extra...)
	for i, s := range j.raw.Run {
		t := parseTemplate(s)
		if err := j.checkTemplate([]any{"run", i}, t, known); err != nil {
			return err
		}
		if names := t.names(); slices.Contains(names, "args") && slices.Contains(names, "env") {
			return j.errorf([]any{"run", i}, "{args} and {env} in one element: each repeats its element")
		}
		j.run = append(j.run, t)
	}
	if slices.ContainsFunc(j.run[0].names(), func(n string) bool { return slices.Contains(repeated, n) }) {
		return j.errorf([]any{"run", 0}, "the judge's program cannot repeat with {args} or {env}")
	}
	if j.raw.Log != "" {
		j.log = parseTemplate(j.raw.Log)
		if err := j.checkTemplate([]any{"log"}, j.log, j.caseOnly(known)); err != nil {
			return err
		}
	}
	return nil
}

// caseOnly is known without the placeholders that repeat elements of run.
func (j *commandJudge) caseOnly(known []string) []string {
	return slices.DeleteFunc(slices.Clone(known), func(n string) bool { return slices.Contains(repeated, n) })
}

// checkTemplate fails at keys when t holds a placeholder that is neither
// in known nor a var.
func (j *commandJudge) checkTemplate(keys []any, t template, known []string) error {
	for _, name := range t.names() {
		if _, ok := j.raw.Vars[name]; ok || slices.Contains(known, name) {
			continue
		}
		all := slices.Concat(known, mapKeys(j.raw.Vars))
		msg := "unknown placeholder {%s}"
		if len(known) == 0 {
			msg += " (only vars here)"
		} else if near := results.Closest(name, all); near != "" {
			msg += fmt.Sprintf(" (did you mean {%s}?)", near)
		}
		return j.errorf(keys, msg, name)
	}
	return nil
}

// mapKeys are m's keys, sorted.
func mapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkResult checks the result section and parses its verdicts and units.
func (j *commandJudge) checkResult() error {
	rr := j.raw.Result
	key := func(k ...any) []any { return append([]any{"result"}, k...) }
	switch from := rr.From; {
	case from == "" && j.raw.Stdout == "pipe":
		return j.errorf(key(), "no from, and the judge's stdout is the program's output (run has no {stdout}): say from: stderr or file:PATH")
	case from == "":
		rr.From = "stdout"
		fallthrough
	case from == "stdout" || from == "stderr":
		if mode := map[string]string{"stdout": j.raw.Stdout, "stderr": j.raw.Stderr}[rr.From]; mode == "pipe" {
			return j.errorf(key("from"), "%s, but %s: pipe makes the judge's %s the program's", rr.From, rr.From, rr.From)
		}
	case from == "file" || strings.HasPrefix(from, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(from, "file"), ":")
		if path == "" {
			path, rr.From = "{result}", "file:{result}"
		}
		j.from = parseTemplate(path)
		if err := j.checkTemplate(key("from"), j.from, j.caseOnly(append(slices.Clone(placeholders), "result"))); err != nil {
			return err
		}
		if slices.Contains(j.from.names(), "result") && !j.uses("result") {
			return j.errorf(key("from"), "{result}, but no element of run holds {result}: the judge would not know it")
		}
	default:
		return j.errorf(key("from"), "%q: want stdout, stderr or file:PATH", from)
	}
	switch rr.Format {
	case "":
		rr.Format = "json"
	case "json", "lines":
	default:
		return j.errorf(key("format"), "%q: want json or lines", rr.Format)
	}
	if rr.Verdict == "" {
		return j.errorf(key(), "no verdict: the field that holds the judge's verdict")
	}
	if len(rr.Verdicts) == 0 {
		return j.errorf(key(), "no verdicts: the judge's verdicts in judgebench's names")
	}
	j.verdicts = map[string]sandbox.Verdict{}
	for status, name := range rr.Verdicts {
		v, err := sandbox.ParseVerdict(name)
		if err != nil {
			return j.errorf(key("verdicts", status), "%v", err)
		}
		j.verdicts[status] = v
	}
	if rr.DefaultVerdict != "" {
		v, err := sandbox.ParseVerdict(rr.DefaultVerdict)
		if err != nil {
			return j.errorf(key("default_verdict"), "%v", err)
		}
		j.def = v
	}
	for i, f := range []struct {
		key string
		fig *rawFigure
		of  map[string]float64
	}{{"cpu_time", rr.CPUTime, timeUnits}, {"real_time", rr.RealTime, timeUnits}, {"memory", rr.Memory, sizeUnits}} {
		if f.fig == nil {
			continue
		}
		if f.fig.Field == "" {
			return j.errorf(key(f.key), "no field: the result's field that holds it")
		}
		scale, err := parseUnit(f.fig.Unit, f.of)
		if err != nil {
			return j.errorf(key(f.key, "unit"), "%v", err)
		}
		j.scale[i] = scale
	}
	return nil
}

// The units of figures: nanoseconds or bytes per unit.
var (
	timeUnits = map[string]float64{"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}
	sizeUnits = map[string]float64{"B": 1, "K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30, "GiB": 1 << 30}
)

// parseUnit returns the scale of unit: one of units, or a positive number
// (nanoseconds or bytes per unit).
func parseUnit(unit string, units map[string]float64) (float64, error) {
	if s, ok := units[unit]; ok {
		return s, nil
	}
	if s, err := strconv.ParseFloat(unit, 64); err == nil && s > 0 && !math.IsInf(s, 0) {
		return s, nil
	}
	want := "ns, us, ms, s or a number of ns per unit"
	if _, ok := units["B"]; ok {
		want = "B, KiB, MiB, GiB or a number of bytes per unit"
	}
	if unit == "" {
		return 0, fmt.Errorf("no unit: want %s", want)
	}
	return 0, fmt.Errorf("%q: want %s", unit, want)
}

// commandCase is one case's files and the values of its placeholders.
type commandCase struct {
	dir    string // {dir}, removed after the case
	stdout string // the program's output
	stderr string // the program's stderr
	result string // {result}
	values map[string]string
	lists  map[string][]string
	done   func() // removes a copy of the input
}

// firstUID is the uid of slot 0's program; slot N's is firstUID+N, below
// lastUID: apart from isolate's boxes (60000-60999, 62000-62063),
// judgebench's sandbox (63000-63999) and the judger adapter (64000-64499).
const firstUID, lastUID = 64500, 65000

// Run runs one case through the judge.
func (j *commandJudge) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	rep := &sandbox.JudgeReport{Executor: "command:" + j.raw.Name}
	c, err := j.prepare(cmd)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	defer c.remove()
	data, err := j.exec(ctx, cmd, c, rep)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	r, err := j.result(c, data, rep)
	if err != nil {
		return failed(rep, fmt.Errorf("judges: %s: %w", j.raw.Name, err))
	}
	if r.Stderr, err = readHead(c.stderr, cmd.StderrLimit, false); err != nil && r.Error == "" {
		r.Error = "judges: read the stderr: " + err.Error()
	}
	finish(ctx, cmd, r, c.stdout)
	return r
}

// prepare makes cmd's files and the values of its placeholders.
func (j *commandJudge) prepare(cmd *sandbox.Command) (*commandCase, error) {
	if cmd.Slot < 0 || firstUID+cmd.Slot >= lastUID {
		return nil, fmt.Errorf("slot %d: want 0 to %d", cmd.Slot, lastUID-firstUID-1)
	}
	prog, err := j.w.program(cmd.Path)
	if err != nil {
		return nil, err
	}
	c := &commandCase{dir: j.w.file(""), done: func() {}}
	if err := os.Mkdir(c.dir, 0o711); err != nil {
		return nil, err
	}
	if err := os.Chmod(c.dir, 0o711); err != nil {
		c.remove()
		return nil, err
	}
	c.stdout, c.stderr, c.result = filepath.Join(c.dir, "stdout"), filepath.Join(c.dir, "stderr"), filepath.Join(c.dir, "result")
	for _, f := range []string{c.stdout, c.stderr} {
		if err := createFile(f, 0o666); err != nil { // the judge may open it as the program's uid
			c.remove()
			return nil, err
		}
	}
	c.values = limitValues(cmd.Limits.WithDefaults())
	for k, v := range j.raw.Vars {
		c.values[k] = v
	}
	c.values["program"], c.values["dir"], c.values["result"] = prog, c.dir, c.result
	c.values["program_dir"], c.values["program_name"] = filepath.Split(prog)
	c.values["program_dir"] = filepath.Clean(c.values["program_dir"])
	c.values["slot"], c.values["uid"] = strconv.Itoa(cmd.Slot), strconv.Itoa(firstUID+cmd.Slot)
	c.values["stdout"], c.values["stderr"] = c.stdout, c.stderr
	if j.raw.Stdin == "file" {
		if c.values["stdin"], c.done, err = j.w.input(cmd); err != nil {
			c.remove()
			return nil, fmt.Errorf("the input: %w", err)
		}
	}
	c.lists = map[string][]string{"args": cmd.Args, "env": cmd.Env}
	return c, nil
}

// remove removes the case's files.
func (c *commandCase) remove() {
	c.done()
	os.RemoveAll(c.dir)
}

// createFile makes an empty file of mode perm at path.
func createFile(path string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil { // past the umask
		f.Close()
		return err
	}
	return f.Close()
}

// limitValues are the placeholders of the limits l.
func limitValues(l sandbox.Limits) map[string]string {
	ceil := func(n, unit int64) string { return strconv.FormatInt((n+unit-1)/unit, 10) }
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
	return map[string]string{
		"cpu_time_ms": ceil(int64(l.CPUTime), 1e6), "cpu_time_s": secs(l.CPUTime), "cpu_time_ns": strconv.FormatInt(int64(l.CPUTime), 10),
		"real_time_ms": ceil(int64(l.RealTime), 1e6), "real_time_s": secs(l.RealTime), "real_time_ns": strconv.FormatInt(int64(l.RealTime), 10),
		"memory_bytes": strconv.FormatInt(int64(l.Memory), 10), "memory_kib": ceil(int64(l.Memory), 1<<10), "memory_mib": ceil(int64(l.Memory), 1<<20),
		"stack_bytes": strconv.FormatInt(int64(l.Stack), 10), "stack_kib": ceil(int64(l.Stack), 1<<10),
		"output_bytes": strconv.FormatInt(int64(l.Output), 10), "output_kib": ceil(int64(l.Output), 1<<10),
		"processes": strconv.Itoa(l.Processes),
	}
}

// maxResult is how much of the judge's stdout, stderr or result file is read.
const maxResult = 1 << 20

// exec runs the judge on case c in a process group of its own, killed on
// every way out, and returns the judge's result as it wrote it.
func (j *commandJudge) exec(ctx context.Context, cmd *sandbox.Command, c *commandCase, rep *sandbox.JudgeReport) ([]byte, error) {
	argv := expandArgv(j.run, c.values, c.lists)
	backstop := 2*cmd.Limits.WithDefaults().RealTime + 10*time.Second
	runCtx, cancel := context.WithTimeout(ctx, backstop)
	defer cancel()
	x := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	x.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	x.Cancel = func() error { return syscall.Kill(-x.Process.Pid, syscall.SIGKILL) }
	x.WaitDelay = time.Second
	var judgeOut, judgeErr headBuffer
	x.Stdout, x.Stderr = &judgeOut, &judgeErr
	if j.raw.Stdin == "pipe" {
		x.Stdin = cmd.Stdin
	}
	for _, s := range []struct {
		mode string
		path string
		to   *io.Writer
	}{{j.raw.Stdout, c.stdout, &x.Stdout}, {j.raw.Stderr, c.stderr, &x.Stderr}} {
		if s.mode == "pipe" {
			f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			*s.to = f
		}
	}
	start := time.Now()
	err := x.Run()
	rep.Latency = time.Since(start)
	if x.Process != nil {
		syscall.Kill(-x.Process.Pid, syscall.SIGKILL) // what the judge left behind
	}
	if err := j.judgeFailed(ctx, runCtx, err, backstop, c, &judgeErr); err != nil {
		return nil, err
	}
	switch from := j.raw.Result.From; {
	case from == "stdout":
		return judgeOut.Bytes(), nil
	case from == "stderr":
		return judgeErr.Bytes(), nil
	}
	data, err := readHead(j.from.expand(c.values), maxResult, true)
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("the judge wrote no result: %w", err)
	}
	return data, err
}

// judgeFailed returns why the judge did not run the case, given what its
// run returned, or nil when it did.
func (j *commandJudge) judgeFailed(ctx, runCtx context.Context, err error, backstop time.Duration, c *commandCase, stderr *headBuffer) error {
	why := func() string {
		msg := stderr.Bytes()
		if j.raw.Stderr == "pipe" {
			msg, _ = readHead(c.stderr, 64<<10, false)
		}
		if line := firstLine(msg); line != "" {
			return ": " + line
		}
		return ""
	}
	switch exit, _ := errors.AsType[*exec.ExitError](err); {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("cancelled: %w", context.Cause(ctx))
	case runCtx.Err() != nil:
		return fmt.Errorf("the judge ran past %v (twice the real-time limit and 10s): killed", backstop)
	case exit != nil && !slices.Contains(j.raw.OKExit, exit.ExitCode()):
		return fmt.Errorf("the judge ended with %s%s", exit.ProcessState, why())
	case exit == nil:
		return err
	}
	return nil
}

// headBuffer keeps the first maxResult bytes written to it and drops the
// rest.
type headBuffer struct{ bytes.Buffer }

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := maxResult - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// readHead returns the first limit bytes of the file at path (limit 0:
// 64KiB); a missing file is empty unless must.
func readHead(path string, limit sandbox.Size, must bool) ([]byte, error) {
	if limit <= 0 {
		limit = 64 << 10
	}
	f, err := os.Open(path)
	if err != nil {
		if !must && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(limit)))
}

// result maps the judge's result data into judgebench's terms.
func (j *commandJudge) result(c *commandCase, data []byte, rep *sandbox.JudgeReport) (*sandbox.Result, error) {
	res, err := parseResult(j.raw.Result.Format, data)
	if err != nil {
		return nil, err
	}
	rep.Raw = res.raw
	rr := j.raw.Result
	r := &sandbox.Result{Isolation: isolation, Judge: rep}
	status, ok := res.get(rr.Verdict)
	switch {
	case ok:
		rep.Status = status
		if r.Verdict, ok = j.verdicts[status]; !ok {
			return nil, fmt.Errorf("the judge's %s %q has no verdict in %s", rr.Verdict, status, j.file)
		}
	case j.def != 0:
		r.Verdict = j.def
	default:
		return nil, fmt.Errorf("the result has no %s (and the description no default_verdict)", rr.Verdict)
	}
	if err := j.figures(res, r); err != nil {
		return nil, err
	}
	if rr.Error != "" {
		if e, ok := res.get(rr.Error); ok && e != "" && e != "0" {
			r.Verdict, r.Error = sandbox.SystemError, fmt.Sprintf("judges: %s: the judge's %s is %s", j.raw.Name, rr.Error, e)
		}
	}
	if r.Verdict == sandbox.SystemError && r.Error == "" {
		r.Error = fmt.Sprintf("judges: %s: the judge's %s %q is SYSTEM_ERROR", j.raw.Name, rr.Verdict, status)
	}
	if r.Verdict == sandbox.SystemError && j.log != nil {
		if log, _ := readTail(j.log.expand(c.values)); log != "" {
			r.Error += "; its log: " + log
		}
	}
	return r, nil
}

// figures sets r's times, memory, exit code and signal from the result.
func (j *commandJudge) figures(res *judgeResult, r *sandbox.Result) error {
	rr := j.raw.Result
	for i, f := range []struct {
		fig *rawFigure
		to  *int64
	}{{rr.CPUTime, (*int64)(&r.CPUTime)}, {rr.RealTime, (*int64)(&r.RealTime)}, {rr.Memory, (*int64)(&r.Memory)}} {
		if f.fig == nil {
			continue
		}
		s, ok := res.get(f.fig.Field)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if v *= j.scale[i]; err != nil || v < 0 || v >= math.MaxInt64 || math.IsNaN(v) {
			return fmt.Errorf("the result's %s is %q: want a number, 0 or more", f.fig.Field, s)
		}
		*f.to = int64(math.Round(v))
		if i == 2 {
			r.MemorySource = sandbox.MemorySource(j.raw.Name + ":" + f.fig.Field)
		}
	}
	for _, f := range []struct {
		field string
		to    *int
	}{{rr.ExitCode, &r.ExitCode}, {rr.Signal, &r.Signal}} {
		if s, ok := res.get(f.field); ok && f.field != "" {
			n, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return fmt.Errorf("the result's %s is %q: want an integer", f.field, s)
			}
			*f.to = int(n)
		}
	}
	if r.Signal != 0 {
		r.ExitCode = -1
	}
	return nil
}

// readTail returns the last non-blank line of the last 4KiB of the file at
// path.
func readTail(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > 4<<10 {
		f.Seek(st.Size()-4<<10, io.SeekStart)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4<<10))
	last := ""
	for line := range strings.Lines(string(b)) {
		if s := strings.TrimSpace(line); s != "" {
			last = s
		}
	}
	return last, err
}

// judgeResult is a judge's result: its fields, and the result as JSON.
type judgeResult struct {
	json  any               // format json: the decoded value
	lines map[string]string // format lines
	raw   json.RawMessage
}

// parseResult reads a judge's result in format json (one JSON value) or
// lines (key:value or key=value lines; others are skipped).
func parseResult(format string, data []byte) (*judgeResult, error) {
	if format == "lines" {
		res := &judgeResult{lines: map[string]string{}}
		for line := range strings.Lines(string(data)) {
			i := strings.IndexAny(line, ":=")
			if i < 0 {
				continue
			}
			if k := strings.TrimSpace(line[:i]); k != "" {
				res.lines[k] = strings.TrimSpace(line[i+1:])
			}
		}
		if len(res.lines) == 0 {
			return nil, errors.New("the result has no key:value line")
		}
		res.raw, _ = json.Marshal(res.lines)
		return res, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, errors.New("the result is empty")
		}
		return nil, fmt.Errorf("the result is not JSON: %v", err)
	}
	var raw bytes.Buffer
	if err := json.Compact(&raw, data[:dec.InputOffset()]); err != nil {
		return nil, fmt.Errorf("the result is not JSON: %v", err)
	}
	return &judgeResult{json: v, raw: raw.Bytes()}, nil
}

// get returns the value of field as text: for JSON, a key of the top-level
// object, or a path of keys and list indices joined by dots ("0.status").
// A JSON null is absent.
func (res *judgeResult) get(field string) (string, bool) {
	if res.lines != nil {
		v, ok := res.lines[field]
		return v, ok
	}
	v, ok := lookup(res.json, []string{field})
	if !ok && strings.Contains(field, ".") {
		v, ok = lookup(res.json, strings.Split(field, "."))
	}
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, ok
	case json.Number:
		return v.String(), ok
	}
	b, _ := json.Marshal(v)
	return string(b), ok
}

// lookup follows path through v's objects and lists.
func lookup(v any, path []string) (any, bool) {
	for _, k := range path {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
