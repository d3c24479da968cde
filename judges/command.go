package judges

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"

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
	v, err := readVersion(ctx, argv...)
	if err != nil {
		return &descError{file: j.file, line: j.line("version"), msg: "version: " + err.Error()}
	}
	j.version = v
	return nil
}
