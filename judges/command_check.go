package judges

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

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
