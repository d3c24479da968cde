package judges

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

func TestGoJudgeStarted(t *testing.T) {
	bin := peer(t, "go-judge")
	e, err := Open(t.Context(), "go-judge:"+bin)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			e.Close()
		}
	})
	p := e.(*goJudge).servers[0].proc
	if p == nil {
		t.Fatalf("Open(go-judge:%s) started no go-judge", bin)
	}

	for _, tt := range []struct {
		args   []string
		want   sandbox.Verdict
		signal int
	}{
		{[]string{"burn", "300ms"}, sandbox.Accepted, 0},
		{[]string{"segv"}, sandbox.RuntimeError, 11},
	} {
		r := e.Run(t.Context(), gjWork(t, sandbox.Limits{}, tt.args[0], tt.args[1:]...))
		t.Logf("%s: %v, status %q, cpu %v, real %v, latency %v", tt.args, r.Verdict, r.Judge.Status, r.CPUTime, r.RealTime, r.Judge.Latency)
		if r.Verdict != tt.want || r.Signal != tt.signal {
			t.Errorf("%s: %v, signal %d (%s); want %v, signal %d", tt.args, r.Verdict, r.Signal, r.Error, tt.want, tt.signal)
		}
	}

	gjLatency(t, e, "through the go-judge judgebench started")

	info := e.Describe()
	var config []gjConfig
	if err := json.Unmarshal(info.Config, &config); err != nil || len(config) != 1 || config[0].Started == nil || config[0].Started.Binary != bin {
		t.Errorf("Describe().Config = %s (%v); want the server, started by judgebench from %s", info.Config, err, bin)
	}
	if info.Parallelism != runtime.NumCPU() {
		t.Errorf("Describe().Parallelism = %d; want %d, go-judge's default (the CPU count)", info.Parallelism, runtime.NumCPU())
	}
	if info.Spec != "go-judge:"+bin {
		t.Errorf("Describe().Spec = %q; want %q", info.Spec, "go-judge:"+bin)
	}

	closed = true
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if pids := gjProcesses(p.prefix); len(pids) > 0 {
		t.Errorf("go-judge processes %v still run after Close", pids)
	}
	if found := gjCgroups(p.prefix, p.cgroup); len(found) > 0 {
		t.Errorf("cgroups %v left after Close", found)
	}
	if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
		t.Errorf("go-judge's directory %s after Close: %v; want it gone", p.dir, err)
	}
}

// gjProcesses are the pids of the processes started with -cgroup-prefix
// prefix.
func gjProcesses(prefix string) []string {
	var pids []string
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		cmdline, err := os.ReadFile(filepath.Join(p, "cmdline"))
		if err == nil && strings.Contains(string(cmdline), "\x00-cgroup-prefix\x00"+prefix+"\x00") {
			pids = append(pids, filepath.Base(p))
		}
	}
	return pids
}

func TestGoJudgeStartFails(t *testing.T) {
	dir := t.TempDir()
	sleeper := filepath.Join(dir, "sleeper")
	if err := os.WriteFile(sleeper, []byte("#!/bin/sh\necho starting >&2\necho no such flag: -silent >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		bin, want string
	}{
		{"/bin/false", "judges: go-judge: /bin/false: exited before it answered (exit status 1); nothing on stderr"},
		{sleeper, "judges: go-judge: " + sleeper + ": exited before it answered (exit status 2): starting | no such flag: -silent"},
	} {
		start := time.Now()
		e, err := Open(t.Context(), "go-judge:"+tt.bin)
		took := time.Since(start)
		if err == nil {
			e.Close()
			t.Fatalf("Open(go-judge:%s) = nil error; want %q", tt.bin, tt.want)
		}
		t.Logf("Open(go-judge:%s) in %v: %v", tt.bin, took, err)
		if err.Error() != tt.want {
			t.Errorf("Open(go-judge:%s) = %q; want %q", tt.bin, err, tt.want)
		}
		if took > 2*time.Second {
			t.Errorf("Open(go-judge:%s) took %v; want an error at once", tt.bin, took)
		}
	}
	left, _ := filepath.Glob(filepath.Join(os.TempDir(), "judgebench-gojudge-*"))
	for _, d := range left {
		if log, err := os.ReadFile(filepath.Join(d, "go-judge.log")); err == nil && strings.Contains(string(log), "no such flag") {
			t.Errorf("%s left behind by a failed start", d)
		}
	}
}
