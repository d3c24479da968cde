package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzRead checks that Read never panics, and that what it accepts survives
// being written and read again unchanged.
func FuzzRead(f *testing.F) {
	valid := validRun(f)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(`{"schema":"judgebench/run/v1"}`))
	f.Add([]byte(`{"schema":"judgebench/run/v1","samples":null,"groups":[]}`))
	f.Add([]byte(`{"schema":"judgebench/run/v1","started_at":"2024-01-02T03:04:05.123+02:00","samples":[{"case":"\xff","verdict":"ACCEPTED","cpu_time_ms":-0}]}`))
	f.Add([]byte(`{"schema":"judgebench/run/v1","samples":[{"verdict":"OK"}]}`))
	f.Add([]byte(""))
	path := filepath.Join(f.TempDir(), FileName) // one per fuzzing process, whose inputs run in turn
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		run, err := Read(path)
		if err != nil {
			return
		}
		again, err := json.Marshal(run)
		if err != nil {
			t.Fatalf("json.Marshal(Read(%q)) = %v", data, err)
		}
		if err := os.WriteFile(path, again, 0o644); err != nil {
			t.Fatal(err)
		}
		run2, err := Read(path)
		if err != nil {
			t.Fatalf("Read(Marshal(Read(%q))) = %v; want nil", data, err)
		}
		if !reflect.DeepEqual(run, run2) {
			t.Errorf("Read(Marshal(Read(%q))) = %+v; want %+v", data, run2, run)
		}
	})
}
