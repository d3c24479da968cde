package judges

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// TestParseCommandFiles parses the example descriptions.
func TestParseCommandFiles(t *testing.T) {
	tests := []struct {
		file                  string
		name                  string
		stdin, stdout, stderr string
		from, format          string
	}{
		{"judger.yaml", "judger-cli", "file", "file", "file", "stdout", "json"},
		{"isolate.yaml", "isolate", "pipe", "pipe", "pipe", "file:{result}", "lines"},
		{"bash.yaml", "bash-judge", "file", "file", "file", "stdout", "lines"},
		{"pipe.yaml", "pipe", "pipe", "pipe", "pipe", "file:{result}", "lines"},
	}
	for _, tt := range tests {
		path := filepath.Join("testdata", "command", tt.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		j, err := parseCommand(path, data)
		if err != nil {
			t.Errorf("parseCommand(%s) = %v", tt.file, err)
			continue
		}
		r := j.raw
		got := []string{r.Name, r.Stdin, r.Stdout, r.Stderr, r.Result.From, r.Result.Format}
		want := []string{tt.name, tt.stdin, tt.stdout, tt.stderr, tt.from, tt.format}
		if !slices.Equal(got, want) {
			t.Errorf("parseCommand(%s): name, stdin, stdout, stderr, from, format = %q; want %q", tt.file, got, want)
		}
	}
}

// minimal is the smallest description that parses, in pieces a test can
// change.
const (
	minimalRun    = "run: [/bin/true, \"{program}\", \"{args}\", \"{stdout}\"]\n"
	minimalResult = "result:\n  verdict: status\n  verdicts: {ok: ACCEPTED}\n"
)

// TestParseCommandErrors checks that each bad description is an error of
// one line that says where and what.
func TestParseCommandErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "judges: bad.yaml: empty file: a judge description needs run and result"},
		{"a list", "- run\n", "judges: bad.yaml:1: a judge description is a mapping (name: ..., run: ..., result: ...)"},
		{"two documents", minimalRun + minimalResult + "---\nname: x\n", "judges: bad.yaml:5: more than one YAML document"},
		{"syntax", "run: [a\n", "judges: bad.yaml:1: did not find expected ',' or ']'"},
		{"unknown key", "nmae: x\n" + minimalRun + minimalResult, `judges: bad.yaml:1: unknown key "nmae" (did you mean "name"?)`},
		{"unknown result key", minimalRun + minimalResult + "  cpu_tme: {field: t, unit: ms}\n", `judges: bad.yaml:5: unknown key "cpu_tme" (did you mean "cpu_time"?)`},
		{"key twice", "name: a\nname: b\n" + minimalRun + minimalResult, `judges: bad.yaml:2: key "name" given twice`},
		{"run not a list", "run: {a: b}\n" + minimalResult, "judges: bad.yaml:1: run: want a list, got a mapping"},
		{"figure not a mapping", minimalRun + minimalResult + "  memory: memory\n", `judges: bad.yaml:5: result.memory: want a mapping, got "memory"`},
		{"no run", "name: x\n" + minimalResult, "judges: bad.yaml:1: no run: the judge's command line, one element per argument"},
		{"no result", minimalRun, "judges: bad.yaml:1: no result: where the judge's result is and what its fields mean"},
		{"bad name", "name: a b\n" + minimalRun + minimalResult, `judges: bad.yaml:1: name: "a b": want letters, digits, '.', '_' or '-'`},
		{"unknown placeholder", "run:\n  - /bin/true\n  - \"--exe={progam}\"\n" + minimalResult, "judges: bad.yaml:3: run[1]: unknown placeholder {progam} (did you mean {program}?)"},
		{"stdout placeholder with pipe", "stdout: pipe\nrun: [/bin/true, \"{stdout}\"]\n" + minimalResult, "judges: bad.yaml:1: stdout: pipe, but run holds {stdout}: say file"},
		{"stdin file without placeholder", "stdin: file\n" + minimalRun + minimalResult, "judges: bad.yaml:1: stdin: file, but no element of run holds {stdin}"},
		{"stream mode", "stderr: tty\n" + minimalRun + minimalResult, `judges: bad.yaml:1: stderr: "tty": want file or pipe`},
		{"args and env", "run: [/bin/true, \"{args}={env}\"]\n" + minimalResult, "judges: bad.yaml:1: run[1]: {args} and {env} in one element: each repeats its element"},
		{"var shadows", "vars: {program: x}\n" + minimalRun + minimalResult, "judges: bad.yaml:1: vars.program: {program} is judgebench's own placeholder"},
		{"version placeholder", "version: [\"{program}\", -v]\n" + minimalRun + minimalResult, "judges: bad.yaml:1: version[0]: unknown placeholder {program} (only vars here)"},
		{"unknown verdict", minimalRun + "result:\n  verdict: status\n  verdicts:\n    ok: ACCEPTD\n", `judges: bad.yaml:5: result.verdicts.ok: unknown verdict "ACCEPTD" (use ` + verdictList() + ")"},
		{"unknown default verdict", minimalRun + minimalResult + "  default_verdict: OK\n", `judges: bad.yaml:5: result.default_verdict: unknown verdict "OK" (use ` + verdictList() + ")"},
		{"no verdict field", minimalRun + "result:\n  verdicts: {ok: ACCEPTED}\n", "judges: bad.yaml:2: result: no verdict: the field that holds the judge's verdict"},
		{"no verdicts", minimalRun + "result:\n  verdict: status\n", "judges: bad.yaml:2: result: no verdicts: the judge's verdicts in judgebench's names"},
		{"time unit", minimalRun + minimalResult + "  cpu_time: {field: t, unit: KiB}\n", `judges: bad.yaml:5: result.cpu_time.unit: "KiB": want ns, us, ms, s or a number of ns per unit`},
		{"memory unit", minimalRun + minimalResult + "  memory:\n    field: m\n    unit: -3\n", `judges: bad.yaml:7: result.memory.unit: "-3": want B, KiB, MiB, GiB or a number of bytes per unit`},
		{"no unit", minimalRun + minimalResult + "  real_time: {field: t}\n", "judges: bad.yaml:5: result.real_time.unit: no unit: want ns, us, ms, s or a number of ns per unit"},
		{"from stdout with pipe", "stdout: pipe\nrun: [/bin/true]\n" + "result:\n  from: stdout\n  verdict: s\n  verdicts: {ok: ACCEPTED}\n", "judges: bad.yaml:4: result.from: stdout, but stdout: pipe makes the judge's stdout the program's"},
		{"from result not in run", minimalRun + minimalResult + "  from: file\n", "judges: bad.yaml:5: result.from: {result}, but no element of run holds {result}: the judge would not know it"},
		{"from defaults to stdout", "run: [/bin/true, \"{program}\"]\n" + minimalResult, "judges: bad.yaml:2: result: no from, and the judge's stdout is the program's output (run has no {stdout}): say from: stderr or file:PATH"},
		{"from", minimalRun + minimalResult + "  from: socket\n", `judges: bad.yaml:5: result.from: "socket": want stdout, stderr or file:PATH`},
		{"format", minimalRun + minimalResult + "  format: xml\n", `judges: bad.yaml:5: result.format: "xml": want json or lines`},
		{"ok_exit", "ok_exit: [zero]\n" + minimalRun + minimalResult, `judges: bad.yaml:1: ok_exit[0]: want an integer, got "zero"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCommand("bad.yaml", []byte(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Errorf("parseCommand(%q) = %v;\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}

// verdictList is ParseVerdict's list of verdicts.
func verdictList() string {
	_, err := sandbox.ParseVerdict("?")
	_, list, _ := strings.Cut(err.Error(), "(use ")
	return strings.TrimSuffix(list, ")")
}

// TestOpenCommandMissing checks that a missing description or judge is a
// clear error at open.
func TestOpenCommandMissing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.yaml")
	noJudge := filepath.Join(dir, "nojudge.yaml")
	os.WriteFile(noJudge, []byte("vars: {j: "+dir+"/judge}\nrun:\n  - \"{j}\"\n  - \"{stdout}\"\n"+minimalResult), 0o644)
	badVersion := filepath.Join(dir, "version.yaml")
	os.WriteFile(badVersion, []byte("version: [/bin/false]\n"+minimalRun+minimalResult), 0o644)
	tests := []struct{ spec, want string }{
		{"command:" + missing, "judges: " + missing + ": no such file or directory"},
		{"command:" + noJudge, "judges: " + noJudge + ":3: run[0]: " + dir + "/judge: no such file or directory"},
		{"command:" + badVersion, "judges: " + badVersion + ":1: version: exit status 1"},
	}
	for _, tt := range tests {
		e, err := Open(t.Context(), tt.spec)
		if err == nil {
			e.Close()
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("Open(%q) = %v; want %s", tt.spec, err, tt.want)
		}
	}
}

// TestTemplate checks placeholders, escapes and the repeated elements.
func TestTemplate(t *testing.T) {
	values := map[string]string{"a": "A", "program": "/p"}
	tests := []struct {
		in, want string
		names    []string
	}{
		{"--x={a}", "--x=A", []string{"a"}},
		{"{{a}}", "{a}", nil},
		{"${{x}} { a } {1} }", "${x} { a } {1} }", nil},
		{"{a}{program}{missing}", "A/p", []string{"a", "program", "missing"}},
		{"", "", nil},
	}
	for _, tt := range tests {
		tmpl := parseTemplate(tt.in)
		if got := tmpl.expand(values); got != tt.want {
			t.Errorf("parseTemplate(%q).expand = %q; want %q", tt.in, got, tt.want)
		}
		if got := tmpl.names(); !slices.Equal(got, tt.names) {
			t.Errorf("parseTemplate(%q).names() = %q; want %q", tt.in, got, tt.names)
		}
	}
	run := []template{parseTemplate("j"), parseTemplate("--args={args}"), parseTemplate("{args}"), parseTemplate("--env={env}"), parseTemplate("{program}")}
	for _, tt := range []struct {
		args, env []string
		want      []string
	}{
		{nil, nil, []string{"j", "/p"}},
		{[]string{"x"}, []string{"A=1", "B=2"}, []string{"j", "--args=x", "x", "--env=A=1", "--env=B=2", "/p"}},
		{[]string{"a b", "{c}"}, nil, []string{"j", "--args=a b", "--args={c}", "a b", "{c}", "/p"}},
	} {
		got := expandArgv(run, values, map[string][]string{"args": tt.args, "env": tt.env})
		if !slices.Equal(got, tt.want) {
			t.Errorf("expandArgv(args %q, env %q) = %q; want %q", tt.args, tt.env, got, tt.want)
		}
	}
}

// TestLimitValues checks the units of the limits' placeholders.
func TestLimitValues(t *testing.T) {
	v := limitValues(sandbox.Limits{CPUTime: 250*time.Millisecond + 1, Memory: sandbox.GiB + 1, Output: 1000, Processes: 3}.WithDefaults())
	want := map[string]string{
		"cpu_time_ms": "251", "cpu_time_s": "0.250000001", "cpu_time_ns": "250000001",
		"real_time_ms": "751", "real_time_s": "0.750000003", "real_time_ns": "750000003",
		"memory_bytes": "1073741825", "memory_kib": "1048577", "memory_mib": "1025",
		"stack_bytes": "1073741825", "stack_kib": "1048577",
		"output_bytes": "1000", "output_kib": "1", "processes": "3",
	}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("limitValues: {%s} = %q; want %q", k, v[k], w)
		}
	}
	if v := limitValues(sandbox.Limits{CPUTime: 2 * time.Second}.WithDefaults()); v["cpu_time_s"] != "2" || v["real_time_ms"] != "6000" {
		t.Errorf("limitValues(2s): cpu_time_s %q, real_time_ms %q; want 2 and 6000", v["cpu_time_s"], v["real_time_ms"])
	}
}

// TestParseResult checks the JSON and lines readers.
func TestParseResult(t *testing.T) {
	tests := []struct {
		format, in string
		get        map[string]string // "" value: absent
		raw        string
	}{
		{"json", "{\n  \"result\": 0,\n  \"cpu_time\": 12, \"s\": \"TO\", \"n\": null}\ntrailing", map[string]string{"result": "0", "cpu_time": "12", "s": "TO", "n": "", "x": ""},
			`{"result":0,"cpu_time":12,"s":"TO","n":null}`},
		{"json", `[{"status":"Accepted","time":1.5e6,"a.b":true,"files":{"stdout":"x"}}]`, map[string]string{"0.status": "Accepted", "0.time": "1.5e6", "0.a.b": "", "0.files": `{"stdout":"x"}`, "1.status": "", "0.files.stdout": "x"},
			`[{"status":"Accepted","time":1.5e6,"a.b":true,"files":{"stdout":"x"}}]`},
		{"json", `{"a.b": 1, "a": {"b": 2}}`, map[string]string{"a.b": "1"}, `{"a.b":1,"a":{"b":2}}`},
		{"lines", "time:0.301\ntime-wall: 0.5\n\nstatus:TO\nmessage:Time limit exceeded: really\nbanner\nx=1\n", map[string]string{"time": "0.301", "time-wall": "0.5", "status": "TO", "message": "Time limit exceeded: really", "x": "1", "banner": ""},
			`{"message":"Time limit exceeded: really","status":"TO","time":"0.301","time-wall":"0.5","x":"1"}`},
	}
	for _, tt := range tests {
		res, err := parseResult(tt.format, []byte(tt.in))
		if err != nil {
			t.Errorf("parseResult(%s, %q) = %v", tt.format, tt.in, err)
			continue
		}
		for k, want := range tt.get {
			if got, _ := res.get(k); got != want {
				t.Errorf("parseResult(%s, %q).get(%q) = %q; want %q", tt.format, tt.in, k, got, want)
			}
		}
		if string(res.raw) != tt.raw {
			t.Errorf("parseResult(%s, %q).raw = %s; want %s", tt.format, tt.in, res.raw, tt.raw)
		}
	}
	for _, tt := range []struct{ format, in, want string }{
		{"json", "", "the result is empty"},
		{"json", "{\"a\":", "the result is not JSON: unexpected EOF"},
		{"json", "Version: 2", "the result is not JSON: invalid character 'V' looking for beginning of value"},
		{"lines", "no separator\n", "the result has no key:value line"},
	} {
		if _, err := parseResult(tt.format, []byte(tt.in)); err == nil || err.Error() != tt.want {
			t.Errorf("parseResult(%s, %q) = %v; want %s", tt.format, tt.in, err, tt.want)
		}
	}
}

// FuzzParseCommand checks that no description makes the parser panic, and
// that every error is one line starting "judges: ".
func FuzzParseCommand(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "command", "*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimalRun + minimalResult))
	f.Add([]byte("a: &a [*a]\nrun: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := parseCommand("f.yaml", data)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "judges: f.yaml") || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("parseCommand(%q) = %q; want one line starting \"judges: f.yaml\"", data, msg)
			}
			return
		}
		if len(j.run) == 0 || j.raw.Result == nil || len(j.verdicts) == 0 {
			t.Errorf("parseCommand(%q) accepted a description without run or verdicts", data)
		}
		if _, err := json.Marshal(j.raw); err != nil {
			t.Errorf("parseCommand(%q): the config does not marshal: %v", data, err)
		}
	})
}

// FuzzParseResult checks that no result makes the readers panic, and that
// what they accept has a JSON raw form.
func FuzzParseResult(f *testing.F) {
	f.Add([]byte("{\"result\": 0, \"cpu_time\": 3}"))
	f.Add([]byte("time:0.300\nstatus:TO\n"))
	f.Add([]byte("[1, {\"a\": [null]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{"json", "lines"} {
			res, err := parseResult(format, data)
			if err != nil {
				if strings.ContainsAny(err.Error(), "\n") && format == "lines" {
					t.Errorf("parseResult(lines, %q) = %q; want one line", data, err)
				}
				continue
			}
			if !json.Valid(res.raw) {
				t.Errorf("parseResult(%s, %q).raw = %q: not JSON", format, data, res.raw)
			}
			for _, field := range []string{"a", "0", "0.a", "a.b", "status"} {
				res.get(field)
			}
		}
	})
}

// openTestJudge opens the description in testdata/command/file, with vars
// set as given (a copy in a temporary directory), and closes it at the
// end of the test.
func openTestJudge(t *testing.T, file string, vars map[string]string) Executor {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "command", file))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for k, v := range vars {
		lines := strings.Split(text, "\n")
		for i, line := range lines {
			if strings.HasPrefix(strings.TrimSpace(line), k+": ") {
				lines[i] = line[:strings.Index(line, k+": ")] + k + ": " + v
			}
		}
		text = strings.Join(lines, "\n")
	}
	path := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Open(t.Context(), "command:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dir := e.(*commandJudge).w.dir
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("after Close, %s: %v; want it gone", dir, err)
		}
	})
	return e
}

// judgeCase is one case of a real judge and what it must give.
type judgeCase struct {
	name    string
	cmd     func(t *testing.T) *sandbox.Command
	verdict sandbox.Verdict
	signal  int // -1: any
}

// commonCases are the cases every judge that runs the test binary must
// judge alike.
var commonCases = []judgeCase{
	{"burn", func(t *testing.T) *sandbox.Command { return work(t, sandbox.Limits{}, "burn", "300ms") }, sandbox.Accepted, 0},
	{"spin over the CPU limit", func(t *testing.T) *sandbox.Command {
		return work(t, sandbox.Limits{CPUTime: 500 * time.Millisecond, RealTime: 20 * time.Second}, "burn", "10s")
	}, sandbox.CPUTimeLimitExceeded, -1},
	{"segv", func(t *testing.T) *sandbox.Command { return work(t, sandbox.Limits{}, "segv") }, sandbox.RuntimeError, 11},
	{"exit 3", func(t *testing.T) *sandbox.Command { return work(t, sandbox.Limits{}, "exit", "3") }, sandbox.RuntimeError, 0},
	{"sort", func(t *testing.T) *sandbox.Command {
		c := work(t, sandbox.Limits{}, "sort")
		c.Stdin, c.Expect = strings.NewReader("3\n3 1 2\n"), strings.NewReader("1 2 3\n")
		return c
	}, sandbox.Accepted, 0},
	{"sort, wrong answer", func(t *testing.T) *sandbox.Command {
		c := work(t, sandbox.Limits{}, "sort")
		c.Stdin, c.Expect = strings.NewReader("3\n3 1 2\n"), strings.NewReader("1 2 4\n")
		return c
	}, sandbox.WrongAnswer, 0},
}

// runCases runs each case through e and checks its verdict; it returns the
// results by name.
func runCases(t *testing.T, e Executor, cases []judgeCase) map[string]*sandbox.Result {
	t.Helper()
	got := map[string]*sandbox.Result{}
	for _, tc := range cases {
		var out strings.Builder
		cmd := tc.cmd(t)
		cmd.Stdout = &out
		r := e.Run(t.Context(), cmd)
		got[tc.name] = r
		t.Logf("%s: %v cpu %v real %v memory %v exit %d signal %d status %q latency %v raw %s error %q own %v %s",
			tc.name, r.Verdict, r.CPUTime, r.RealTime, r.Memory, r.ExitCode, r.Signal, r.Judge.Status, r.Judge.Latency, r.Judge.Raw, r.Error, r.Judge.Verdict, r.Judge.Why)
		if r.Verdict != tc.verdict || (r.Signal != tc.signal && tc.signal >= 0) || r.Isolation != isolation {
			t.Errorf("%s: verdict %v, signal %d, isolation %q; want %v, %d, %q (error %q, stdout %q)", tc.name, r.Verdict, r.Signal, r.Isolation, tc.verdict, tc.signal, isolation, r.Error, out.String())
		}
		if tc.name == "burn" {
			checkBurn(t, r, out.String())
		}
	}
	return got
}

// checkBurn compares the CPU time a judge reported for `burn 300ms` with
// the program's own clock.
func checkBurn(t *testing.T, r *sandbox.Result, out string) {
	t.Helper()
	clocks, err := scenarios.ParseBurn(out)
	if err != nil {
		t.Error(err)
		return
	}
	process := clocks.Process
	t.Logf("burn 300ms: reported cpu_time %v, the program's own process clock %v (reported - own = %v), real_time %v", r.CPUTime, process, r.CPUTime-process, r.RealTime)
	if r.CPUTime < 200*time.Millisecond || r.CPUTime > process+200*time.Millisecond || r.RealTime < r.CPUTime/2 {
		t.Errorf("burn 300ms: cpu_time %v, real_time %v; want near the program's own %v", r.CPUTime, r.RealTime, process)
	}
	if r.OutputBytes != int64(len(out)) || r.Judge.Latency < r.RealTime/2 {
		t.Errorf("burn: output %d bytes, latency %v; want %d bytes and at least half of real time %v", r.OutputBytes, r.Judge.Latency, len(out), r.RealTime)
	}
}

// TestCommandBash runs the judge of testdata/command/bash.yaml, which
// needs no peer: bash, ulimit and timeout.
func TestCommandBash(t *testing.T) {
	for _, p := range []string{"/bin/bash", "/usr/bin/timeout"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("no %s: %v", p, err)
		}
	}
	e := openTestJudge(t, "bash.yaml", nil)
	info := e.Describe()
	var config rawCommand
	if err := json.Unmarshal(info.Config, &config); err != nil || info.Executor != "command:bash-judge" || config.Result.Format != "lines" || config.Stdin != "file" {
		t.Errorf("Describe() = %+v (config %v); want command:bash-judge and its description", info, err)
	}
	got := runCases(t, e, commonCases)
	if r := got["exit 3"]; r.ExitCode != 3 || r.Judge.Status != "RE" {
		t.Errorf("exit 3: exit code %d, status %q; want 3, RE", r.ExitCode, r.Judge.Status)
	}
	if r := got["spin over the CPU limit"]; r.CPUTime < 500*time.Millisecond || r.CPUTime > 5*time.Second {
		t.Errorf("spin under 500ms: cpu_time %v; want past the limit (ulimit -t 1 kills it near 1s)", r.CPUTime)
	}
}

// TestCommandCancel checks that a cancelled case ends promptly as a
// SYSTEM_ERROR, leaving no process behind.
func TestCommandCancel(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skipf("no /bin/bash: %v", err)
	}
	e := openTestJudge(t, "bash.yaml", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := e.Run(ctx, work(t, sandbox.Limits{}, "hang"))
	if took := time.Since(start); r.Verdict != sandbox.SystemError || !strings.Contains(r.Error, "cancelled") || took > 3*time.Second {
		t.Errorf("a cancelled hang = %v %q after %v; want SYSTEM_ERROR, cancelled, within 3s", r.Verdict, r.Error, took)
	}
	dir := e.(*commandJudge).w.dir
	time.Sleep(50 * time.Millisecond)
	if left := processesUnder(dir); len(left) > 0 {
		t.Errorf("after a cancelled case, processes running from %s: %v", dir, left)
	}
}

// processesUnder returns the pids whose command line mentions dir.
func processesUnder(dir string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && strings.Contains(string(b), dir) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// TestCommandJudger runs QingdaoU Judger through its command line as
// testdata/command/judger.yaml describes it.
func TestCommandJudger(t *testing.T) {
	skipIfRace(t)
	judge := peer(t, "libjudger.so")
	e := openTestJudge(t, "judger.yaml", map[string]string{"judge": judge})
	if info := e.Describe(); info.Executor != "command:judger-cli" || !strings.Contains(info.Version, "2.1") {
		t.Errorf("Describe() = %+v; want command:judger-cli, version 2.1.x", info)
	}
	got := runCases(t, e, append(commonCases,
		judgeCase{"spin over 250ms", func(t *testing.T) *sandbox.Command {
			return work(t, sandbox.Limits{CPUTime: 250 * time.Millisecond, RealTime: 20 * time.Second}, "burn", "10s")
		}, sandbox.CPUTimeLimitExceeded, 9},
		judgeCase{"touch twice the memory limit", func(t *testing.T) *sandbox.Command {
			return work(t, sandbox.Limits{Memory: 512 * sandbox.MiB}, "alloc", "1024")
		}, sandbox.RuntimeError, 0},
	))
	if r := got["burn"]; r.Judge.Status != "0" || r.MemorySource != "judger-cli:memory" || r.Memory == 0 {
		t.Errorf("burn: status %q, memory %v from %q; want 0 and judger-cli:memory", r.Judge.Status, r.Memory, r.MemorySource)
	}
	if r := got["segv"]; r.ExitCode != -1 {
		t.Errorf("segv: exit code %d; want -1", r.ExitCode)
	}
	var lat []time.Duration
	for range 10 {
		r := e.Run(t.Context(), &sandbox.Command{Path: "/bin/true"})
		if r.Verdict != sandbox.Accepted {
			t.Fatalf("/bin/true: %v %q", r.Verdict, r.Error)
		}
		lat = append(lat, r.Judge.Latency)
	}
	slices.Sort(lat)
	t.Logf("/bin/true through Judger: latency median %v (min %v, max %v)", lat[len(lat)/2], lat[0], lat[len(lat)-1])
}

// TestCommandPipes runs a judge that passes its own stdin and stdout to the
// program and writes its result to a file, and judges that fail.
func TestCommandPipes(t *testing.T) {
	e := openTestJudge(t, "pipe.yaml", nil)
	runCases(t, e, []judgeCase{commonCases[4], commonCases[5]})
	r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "3"))
	if want := `has no verdict in`; r.Verdict != sandbox.SystemError || !strings.Contains(r.Error, want) || r.Judge.Status != "3" || string(r.Judge.Raw) != `{"exit":"3"}` {
		t.Errorf("exit 3, whose status has no verdict: %v %q, status %q, raw %s; want SYSTEM_ERROR saying %q", r.Verdict, r.Error, r.Judge.Status, r.Judge.Raw, want)
	}
}

// TestCommandJudgeFails checks that a judge that fails, or reports its own
// failure, makes the case a SYSTEM_ERROR saying why.
func TestCommandJudgeFails(t *testing.T) {
	tests := []struct{ name, script, result, want string }{
		{"exit status", "echo oops >&2; echo '{}'; exit 7", "", "judges: fails: the judge ended with exit status 7: oops"},
		{"no result", "echo '{\"s\": 0}' >/dev/null", "  from: file\n", "judges: fails: the judge wrote no result: open "},
		{"not JSON", "echo 'result 0'", "", "judges: fails: the result is not JSON: invalid character 'r' looking for beginning of value"},
		{"no verdict", "echo '{\"t\": 1}'", "", "judges: fails: the result has no s (and the description no default_verdict)"},
		{"bad figure", "echo '{\"s\": 0, \"t\": \"fast\"}'", "  cpu_time: {field: t, unit: ms}\n", `judges: fails: the result's t is "fast": want a number, 0 or more`},
		{"error field", "echo '{\"s\": 0, \"e\": -6}'", "  error: e\n", "judges: fails: the judge's e is -6"},
		{"status SYSTEM_ERROR", "echo '{\"s\": 5}'; echo 'seccomp: cannot load' >$0", "", `judges: fails: the judge's s "5" is SYSTEM_ERROR; its log: seccomp: cannot load`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desc := fmt.Sprintf("name: fails\nlog: \"{dir}/log\"\nrun: [/bin/sh, -c, %q, \"{dir}/log\", \"{stdout}\", \"{result}\"]\nresult:\n  verdict: s\n  verdicts: {\"0\": ACCEPTED, \"5\": SYSTEM_ERROR}\n%s", tt.script, tt.result)
			path := filepath.Join(t.TempDir(), "fails.yaml")
			os.WriteFile(path, []byte(desc), 0o644)
			e, err := Open(t.Context(), "command:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			r := e.Run(t.Context(), work(t, sandbox.Limits{}, "exit", "0"))
			if r.Verdict != sandbox.SystemError || !strings.HasPrefix(r.Error, tt.want) || r.Judge == nil || r.Judge.Latency <= 0 {
				t.Errorf("%s: %v %q; want SYSTEM_ERROR %q", tt.script, r.Verdict, r.Error, tt.want)
			}
		})
	}
}
