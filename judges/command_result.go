package judges

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/judgebench/judgebench/sandbox"
)

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
	b, _, err := tail(path, 4<<10)
	last := ""
	if l := lastLines(b, 1); len(l) > 0 {
		last = l[0]
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
