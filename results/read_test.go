package results

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validRun returns the bytes of a run.json written by a Writer.
func validRun(t testing.TB) []byte {
	t.Helper()
	_, data := writeRun(t)
	return data
}

// writeRun writes testRun with testSamples through a Writer and returns the
// path and the bytes of its run.json.
func writeRun(t testing.TB) (string, []byte) {
	t.Helper()
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range testSamples() {
		if err := w.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	path, err := w.Finish(testRun(), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestReadErrors(t *testing.T) {
	valid := validRun(t)
	tests := []struct {
		name string
		data *string // run.json's contents; nil: no run.json in the directory
		path string  // what to read, from the directory; "" for run.json
		want []string
	}{
		{"missing dir", nil, "nope", []string{"results: ", "nope", "no such file"}},
		{"dir without run.json", nil, ".", []string{"results: ", "run.json", "no such file"}},
		{"empty file", ptr(""), "", []string{"run.json: empty file"}},
		{"blank file", ptr(" \n\n"), "", []string{"run.json: empty file"}},
		{"truncated", ptr(string(valid[:len(valid)/2])), "", []string{"run.json:", "truncated file: unexpected end"}},
		{"wrong schema", ptr(`{"schema":"judgebench/run/v2","samples":[]}`), "", []string{`run.json: schema "judgebench/run/v2" is not judgebench/run/v1`}},
		{"wrong schema and types", ptr(`{"schema":"other","samples":5}`), "", []string{`run.json: schema "other"`}},
		{"no schema", ptr(`{"target":"x"}`), "", []string{"run.json: no schema"}},
		{"not an object", ptr(`[1, 2]`), "", []string{"run.json:1: json: cannot unmarshal array"}},
		{"bad verdict", ptr(`{"schema":"judgebench/run/v1","samples":[{"case":"a","verdict":"ACCEPTED"},{"case":"b","verdict":"OK"}]}`),
			"", []string{`run.json: sample 1: case "b": unknown verdict "OK"`}},
		{"unknown model", ptr(`{"schema":"judgebench/run/v1","samples":[{"case":"a","model":"serail","verdict":"ACCEPTED"}]}`),
			"", []string{`sample 0: case "a": unknown model "serail" (did you mean "serial"?`}},
		{"empty verdict", ptr(`{"schema":"judgebench/run/v1","samples":[{"case":"a"}]}`), "", []string{`sample 0: case "a": empty verdict`}},
		{"syntax error on line 3", ptr("{\n\"schema\": \"judgebench/run/v1\",\n\"target\": x\n}\n"), "", []string{"run.json:3: invalid character 'x'"}},
		{"type error on line 2", ptr("{\"schema\": \"judgebench/run/v1\",\n\"target\": 5}"), "", []string{"run.json:2: json: cannot unmarshal number"}},
		{"trailing garbage", ptr(string(valid) + "}\n"), "", []string{"run.json:", "after top-level value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.data != nil {
				if err := os.WriteFile(filepath.Join(dir, FileName), []byte(*tt.data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, tt.path)
			if tt.path == "" {
				path = filepath.Join(dir, FileName)
			}
			run, err := Read(path)
			if err == nil {
				t.Fatalf("Read(%s) = %+v, nil; want an error", tt.name, run)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Read(%s) = %v; want it to contain %q", tt.name, err, w)
				}
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("Read(%s) = %v; want it to name the file", tt.name, err)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestReadMissingIsNotExist(t *testing.T) {
	if _, err := Read(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(dir without run.json) = %v; want an error wrapping fs.ErrNotExist", err)
	}
}

func TestReadUnknownFields(t *testing.T) {
	tests := []string{
		`{"schema":"judgebench/run/v1","future":{"a":[1,2]}}`,
		`{"schema":"judgebench/run/v1","samples":[{"case":"a","verdict":"ACCEPTED","new_counter":7}]}`,
		`{"schema":"judgebench/run/v1","groups":[{"model":"serial","p99":3}]}`,
	}
	for _, in := range tests {
		path := filepath.Join(t.TempDir(), FileName)
		os.WriteFile(path, []byte(in), 0o644)
		if _, err := Read(path); err != nil {
			t.Errorf("Read(%s) = %v; want nil", in, err)
		}
	}
}
