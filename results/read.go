package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Read reads a run: path is a run directory or its run.json. Errors name the
// file and, for bad JSON, the line, as in
//
//	results: judgebench-results/x/run.json:12: invalid character ...
//
// and say what is wrong: a missing or empty file, truncated JSON, a schema
// other than [Schema], a sample with an empty or unknown verdict. Unknown JSON
// fields are allowed: newer writers may add fields.
func Read(path string) (*Run, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, FileName)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	run, line, err := decode(data)
	switch {
	case err == nil:
		return run, nil
	case line > 0:
		return nil, fmt.Errorf("results: %s:%d: %w", path, line, err)
	}
	return nil, fmt.Errorf("results: %s: %w", path, err)
}

// decode parses and checks run.json's contents. On error it returns the line
// where the JSON went wrong, or 0 when the error is not about one place.
func decode(data []byte) (*Run, int, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, 0, errors.New("empty file")
	}
	var run Run
	if err := json.Unmarshal(data, &run); err != nil {
		// A file of another schema may differ in types: say so first.
		if err := checkSchemaOnly(data); err != nil {
			return nil, 0, err
		}
		if _, ok := errors.AsType[*UnknownError](err); ok {
			return nil, 0, whichSample(data, err)
		}
		return nil, lineOf(data, err), jsonError(err)
	}
	if err := checkSchema(run.Schema); err != nil {
		return nil, 0, err
	}
	for i := range run.Samples {
		if err := checkSample(&run.Samples[i]); err != nil {
			return nil, 0, fmt.Errorf("sample %d: %w", i, err)
		}
	}
	countVerdicts(&run)
	olderIsolation(&run)
	return &run, 0, nil
}

// whichSample returns err, an unknown name the decoder met, with the sample
// that holds it, as checkSample says it, when a sample does.
func whichSample(data []byte, err error) error {
	var names struct {
		Samples []struct {
			Case, Model, Measure, Verdict string
			ExpectedVerdict               string `json:"expected_verdict"`
		}
	}
	json.Unmarshal(data, &names) // data decoded but for names: this cannot fail
	for i, n := range names.Samples {
		s := Sample{Case: n.Case, Model: Model(n.Model), Measure: Measure(n.Measure),
			Verdict: Verdict(n.Verdict), ExpectedVerdict: Verdict(n.ExpectedVerdict)}
		if s.Verdict == "" {
			s.Verdict = Accepted // an empty verdict is not what the decoder met
		}
		if err := checkSample(&s); err != nil {
			return fmt.Errorf("sample %d: %w", i, err)
		}
	}
	return err
}

// checkSchemaOnly returns the schema error of data if data is valid JSON
// with a string schema, else nil.
func checkSchemaOnly(data []byte) error {
	var head struct {
		Schema string `json:"schema"`
	}
	if json.Unmarshal(data, &head) != nil {
		return nil
	}
	return checkSchema(head.Schema)
}

func checkSchema(s string) error {
	switch s {
	case Schema:
		return nil
	case "":
		return fmt.Errorf("no schema: not a %s file", Schema)
	}
	return fmt.Errorf("schema %q is not %s", s, Schema)
}

// lineOf returns the line, from 1, of the byte where err, a JSON decoding
// error, was found; 0 if err does not say.
func lineOf(data []byte, err error) int {
	var offset int64
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return 0
	}
	// Offset counts the bytes read, the offending one included.
	offset = min(max(offset-1, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// jsonError marks an unexpected end of the input as a truncated file.
func jsonError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end") {
		return fmt.Errorf("truncated file: %w", err)
	}
	return err
}

// countVerdicts fills in the verdict counts of groups that lack them (files
// of older versions) from the samples.
func countVerdicts(run *Run) {
	var missing map[Key]*Group
	for i := range run.Groups {
		if g := &run.Groups[i]; g.Verdicts == nil {
			if missing == nil {
				missing = make(map[Key]*Group)
			}
			g.Verdicts = make(map[Verdict]int)
			missing[g.Key] = g
		}
	}
	for i := range run.Samples {
		if g, ok := missing[run.Samples[i].Key()]; ok {
			g.Verdicts[run.Samples[i].Verdict]++
		}
	}
}

// olderIsolation gives the samples and groups of files of older versions,
// which ran every program as the harness did, the isolation they had: none.
// Their executor was the sandbox.
func olderIsolation(run *Run) {
	for i := range run.Samples {
		if run.Samples[i].Isolation == "" {
			run.Samples[i].Isolation = IsolationNone
		}
		if run.Samples[i].Executor == "" {
			run.Samples[i].Executor = ExecutorSandbox
		}
	}
	for i := range run.Groups {
		if run.Groups[i].Isolation == "" {
			run.Groups[i].Isolation = IsolationNone
		}
		if run.Groups[i].Executor == "" {
			run.Groups[i].Executor = ExecutorSandbox
		}
	}
}
