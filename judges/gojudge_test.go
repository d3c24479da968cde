package judges

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/judgebench/judgebench/sandbox"
	"github.com/judgebench/judgebench/scenarios"
)

// startGoJudgeT starts go-judge as judgebench does, with extra flags, and
// stops it when t ends; the test fails if a cgroup or its directory is
// left behind.
func startGoJudgeT(t *testing.T, args ...string) *gjProcess {
	t.Helper()
	p, err := startGoJudge(t.Context(), peer(t, "go-judge"), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.stop(false); err != nil {
			t.Error(err)
		}
	})
	return p
}

// openGoJudgeT opens the executor over urls, closed when t ends.
func openGoJudgeT(t *testing.T, urls ...string) Executor {
	t.Helper()
	e, err := Open(t.Context(), "go-judge:"+strings.Join(urls, ","))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// gjWork is work with an environment of the test's own: a race-enabled
// workload otherwise sleeps a second at exit.
func gjWork(t *testing.T, l sandbox.Limits, name string, args ...string) *sandbox.Command {
	cmd := work(t, l, name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "GORACE=atexit_sleep_ms=0"}
	return cmd
}

// gjUploaded lists the ids of the files in the store of the server at u.
func gjUploaded(t *testing.T, u string) []string {
	t.Helper()
	resp, err := http.Get(u + "/file")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ids map[string]string // id: name
	if err := json.NewDecoder(resp.Body).Decode(&ids); err != nil {
		t.Fatal(err)
	}
	var list []string
	for id := range ids {
		list = append(list, id)
	}
	return list
}

func TestGoJudgeSpec(t *testing.T) {
	tests := []struct {
		arg  string
		want string // error, "" for none
	}{
		{"http://127.0.0.1:5050", ""},
		{"http://a:1/,https://b/prefix", ""},
		{"ftp://a:1", `want http:// or https://`},
		{"127.0.0.1:5050", `want http:// or https://`},
		{"http://", "no host"},
		{"http://a:1,,http://b:2", "empty URL"},
		{"http://a:1/?token=x", "query or fragment"},
		{"http://a b", "invalid character"},
		{"/bin/true", ""},
		{"/no/such/go-judge", "/no/such/go-judge: no such file or directory"},
		{"/etc/passwd", "/etc/passwd: not an executable file"},
	}
	for _, tt := range tests {
		_, err := parseGoJudgeSpec(tt.arg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("parseGoJudgeSpec(%q) = %v; want no error", tt.arg, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("parseGoJudgeSpec(%q) = %v; want an error saying %q", tt.arg, err, tt.want)
		case err != nil && (!strings.HasPrefix(err.Error(), "judges: ") || strings.Count(err.Error(), "judges:") > 1):
			t.Errorf("parseGoJudgeSpec(%q) = %v; want one \"judges: \" at the start", tt.arg, err)
		}
	}
	got, _ := parseGoJudgeSpec("http://a:1/, https://b/prefix/,/bin/true")
	if want := []gjTarget{{url: "http://a:1"}, {url: "https://b/prefix"}, {bin: "/bin/true"}}; !slices.Equal(got, want) {
		t.Errorf("parseGoJudgeSpec = %q; want %q", got, want)
	}
}

func TestGoJudgeNotAnswering(t *testing.T) {
	addr, err := gjFreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + addr
	_, err = Open(t.Context(), "go-judge:"+u)
	want := "judges: go-judge at " + u + ": GET /version: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Open(go-judge:%s) = %v; want an error starting %q", u, err, want)
	}
	t.Log(err)
}

func TestGoJudge(t *testing.T) {
	s := startGoJudgeT(t)
	e := openGoJudgeT(t, s.url)

	t.Run("burn", func(t *testing.T) {
		var out bytes.Buffer
		cmd := gjWork(t, sandbox.Limits{}, "burn", "300ms")
		cmd.Stdout = &out
		r := e.Run(t.Context(), cmd)
		if r.Verdict != sandbox.Accepted {
			t.Fatalf("burn 300ms: %v (%s); want ACCEPTED", r.Verdict, r.Error)
		}
		clocks, err := scenarios.ParseBurn(out.String())
		if err != nil {
			t.Fatal(err)
		}
		diff := r.CPUTime - clocks.Process
		t.Logf("burn 300ms: go-judge time %v, the program's process_cpu_ns %v: %+.2f ms; real %v, latency %v", r.CPUTime, clocks.Process, float64(diff)/1e6, r.RealTime, r.Judge.Latency)
		if diff < -5*time.Millisecond || diff > 25*time.Millisecond {
			t.Errorf("burn 300ms: CPUTime %v; want within -5..+25 ms of its own process_cpu_ns %v", r.CPUTime, clocks.Process)
		}
		if r.MemorySource != "go-judge:memory" || r.Memory <= 0 {
			t.Errorf("burn 300ms: memory %v from %q; want a figure from go-judge:memory", r.Memory, r.MemorySource)
		}
	})

	t.Run("spin", func(t *testing.T) {
		for _, limit := range []time.Duration{250 * time.Millisecond, time.Second} {
			r := e.Run(t.Context(), gjWork(t, sandbox.Limits{CPUTime: limit, RealTime: 10 * limit}, "spin", "1000000000000000"))
			t.Logf("spin under %v: %v at %v of CPU (%v real), status %q", limit, r.Verdict, r.CPUTime, r.RealTime, r.Judge.Status)
			if r.Verdict != sandbox.CPUTimeLimitExceeded {
				t.Errorf("spin under %v: %v (%s); want CPU_TIME_LIMIT_EXCEEDED", limit, r.Verdict, r.Error)
			}
			if r.CPUTime < limit || r.CPUTime > limit+150*time.Millisecond {
				t.Errorf("spin under %v: killed at %v of CPU; want within 150 ms past the limit", limit, r.CPUTime)
			}
		}
	})

	tests := []struct {
		name   string
		limits sandbox.Limits
		args   []string
		want   sandbox.Verdict
		signal int // -1: any
	}{
		{"sleep past the real limit", sandbox.Limits{RealTime: time.Second}, []string{"sleep", "10s"}, sandbox.RealTimeLimitExceeded, 9},
		{"alloc 128MiB under 64MiB", sandbox.Limits{Memory: 64 * sandbox.MiB}, []string{"alloc", "128"}, sandbox.MemoryLimitExceeded, 9},
		{"segv", sandbox.Limits{}, []string{"segv"}, sandbox.RuntimeError, 11},
		{"exit 3", sandbox.Limits{}, []string{"exit", "3"}, sandbox.RuntimeError, 0},
		{"flood past the output limit", sandbox.Limits{Output: sandbox.MiB}, []string{"flood", "4194304"}, sandbox.OutputLimitExceeded, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Run(t.Context(), gjWork(t, tt.limits, tt.args[0], tt.args[1:]...))
			t.Logf("%s: %v, status %q, exit %d, signal %d, cpu %v, real %v, memory %v", tt.name, r.Verdict, r.Judge.Status, r.ExitCode, r.Signal, r.CPUTime, r.RealTime, r.Memory)
			if r.Verdict != tt.want || (tt.signal >= 0 && r.Signal != tt.signal) {
				t.Errorf("%s: %v, signal %d (%s); want %v, signal %d", tt.name, r.Verdict, r.Signal, r.Error, tt.want, tt.signal)
			}
		})
	}

	t.Run("sort", func(t *testing.T) {
		small, smallOut := sortCase(5)
		large, largeOut := sortCase(20000) // past what goes inline
		in := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(in, []byte(small), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, stdin, expect, want string // stdin "": the file in
			verdict                   sandbox.Verdict
		}{
			{"file, right", "", smallOut, smallOut, sandbox.Accepted},
			{"file, wrong", "", "1 3 1 4 5\n", smallOut, sandbox.WrongAnswer},
			{"file again", "", smallOut, smallOut, sandbox.Accepted},
			{"inline", small, smallOut, smallOut, sandbox.Accepted},
			{"uploaded for the case", large, largeOut, largeOut, sandbox.Accepted},
		} {
			cmd := gjWork(t, sandbox.Limits{}, "sort")
			cmd.Expect = strings.NewReader(tt.expect)
			var out bytes.Buffer
			cmd.Stdout = &out
			cmd.Stdin = strings.NewReader(tt.stdin)
			if tt.stdin == "" {
				f, err := os.Open(in)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				cmd.Stdin = f
			}
			r := e.Run(t.Context(), cmd)
			if r.Verdict != tt.verdict || out.String() != tt.want {
				t.Errorf("sort, %s: %v (%s), %d bytes of output; want %v, %d bytes", tt.name, r.Verdict, r.Error, out.Len(), tt.verdict, len(tt.want))
			}
			var raw struct {
				Files map[string]int `json:"files"`
			}
			if err := json.Unmarshal(r.Judge.Raw, &raw); err != nil || raw.Files["stdout"] != len(tt.want) {
				t.Errorf("sort, %s: raw %s (%v); want files as their lengths", tt.name, r.Judge.Raw, err)
			}
		}
		// The program and the input file, each uploaded once; the large
		// input removed after its case.
		if ids := gjUploaded(t, s.url); len(ids) != 2 {
			t.Errorf("go-judge holds %d files after the sort cases: %v; want 2 (the program, the input file)", len(ids), ids)
		}
	})

	t.Run("lost uploads", func(t *testing.T) {
		// As when a server restarts: the next case fails, the one after
		// uploads the program again.
		for _, id := range gjUploaded(t, s.url) {
			req, _ := http.NewRequest(http.MethodDelete, s.url+"/file/"+id, nil)
			if resp, err := http.DefaultClient.Do(req); err != nil {
				t.Fatal(err)
			} else {
				resp.Body.Close()
			}
		}
		r := e.Run(t.Context(), gjWork(t, sandbox.Limits{}, "exit", "0"))
		t.Logf("lost uploads: %v (%s)", r.Verdict, r.Error)
		if r.Verdict != sandbox.SystemError || !strings.Contains(r.Error, "HTTP 500") {
			t.Errorf("exit 0 with its program gone from the server: %v (%s); want SYSTEM_ERROR, HTTP 500", r.Verdict, r.Error)
		}
		if r := e.Run(t.Context(), gjWork(t, sandbox.Limits{}, "exit", "0")); r.Verdict != sandbox.Accepted {
			t.Errorf("exit 0 after a lost upload: %v (%s); want ACCEPTED, the program uploaded again", r.Verdict, r.Error)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan *sandbox.Result, 1)
		go func() {
			done <- e.Run(ctx, gjWork(t, sandbox.Limits{CPUTime: 30 * time.Second, RealTime: time.Minute}, "hang"))
		}()
		if !gjWaitHang(s.prefix, true) {
			t.Fatal("hang: no such process in go-judge's cgroups within 10s")
		}
		start := time.Now()
		cancel()
		var r *sandbox.Result
		select {
		case r = <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5s of its context's cancellation")
		}
		t.Logf("cancel: returned in %v: %v (%s)", time.Since(start), r.Verdict, r.Error)
		if r.Verdict != sandbox.SystemError || !strings.Contains(r.Error, "context canceled") {
			t.Errorf("cancel: %v (%s); want SYSTEM_ERROR, context canceled", r.Verdict, r.Error)
		}
		if !gjWaitHang(s.prefix, false) {
			t.Error("cancel: the program still runs 10s after its case was cancelled")
		}
	})

	t.Run("latency", func(t *testing.T) { gjLatency(t, e, "over keep-alive") })

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if ids := gjUploaded(t, s.url); len(ids) != 0 {
		t.Errorf("go-judge holds files %v after Close; want none", ids)
	}
}

// gjLatency runs a trivial case (exit 0) 20 times through e and logs its
// latency.
func gjLatency(t *testing.T, e Executor, how string) {
	t.Helper()
	var lat []time.Duration
	for range 20 {
		r := e.Run(t.Context(), gjWork(t, sandbox.Limits{}, "exit", "0"))
		if r.Verdict != sandbox.Accepted {
			t.Fatalf("exit 0: %v (%s)", r.Verdict, r.Error)
		}
		lat = append(lat, r.Judge.Latency)
	}
	slices.Sort(lat)
	t.Logf("trivial case (exit 0), 20 runs %s: latency min %v, median %v, max %v", how, lat[0], lat[len(lat)/2], lat[len(lat)-1])
}

// sortCase is the input of the sort workload for the n numbers n, n-1, ..., 1,
// and its output.
func sortCase(n int) (in, out string) {
	var b, o strings.Builder
	fmt.Fprintln(&b, n)
	for i := range n {
		fmt.Fprint(&b, n-i, " ")
		if i > 0 {
			o.WriteByte(' ')
		}
		fmt.Fprint(&o, i+1)
	}
	return b.String() + "\n", o.String() + "\n"
}

// gjWaitHang waits up to 10s for the hang workload to run (or, running false,
// to be gone) in a cgroup of the go-judge with cgroup prefix prefix, and
// reports whether it did.
func gjWaitHang(prefix string, running bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if gjHangRunning(prefix) == running {
			return true
		}
	}
	return false
}

func gjHangRunning(prefix string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		cmdline, err := os.ReadFile(filepath.Join(p, "cmdline"))
		if err != nil || string(cmdline) != "prog\x00work\x00hang\x00" {
			continue
		}
		if cg, err := os.ReadFile(filepath.Join(p, "cgroup")); err == nil && strings.Contains(string(cg), "/"+prefix) {
			return true
		}
	}
	return false
}

func TestGoJudgeServers(t *testing.T) {
	a, b := startGoJudgeT(t), startGoJudgeT(t, "-parallelism", "3")
	if got := b.parallelism(); got != 3 {
		t.Errorf("parallelism() of a go-judge started with -parallelism 3 = %d; want 3", got)
	}
	e := openGoJudgeT(t, a.url, b.url)
	for i := range 4 {
		if r := e.Run(t.Context(), gjWork(t, sandbox.Limits{}, "exit", "0")); r.Verdict != sandbox.Accepted {
			t.Fatalf("case %d: %v (%s)", i, r.Verdict, r.Error)
		}
	}
	for _, s := range []*gjProcess{a, b} {
		if ids := gjUploaded(t, s.url); len(ids) != 1 {
			t.Errorf("%s holds %d files after 4 cases served in turn: %v; want 1 (the program)", s.url, len(ids), ids)
		}
	}
	var config []gjConfig
	if err := json.Unmarshal(e.Describe().Config, &config); err != nil || len(config) != 2 || config[0].URL != a.url || config[1].URL != b.url {
		t.Errorf("Describe().Config = %s (%v); want both servers in order", e.Describe().Config, err)
	}

	info := openGoJudgeT(t, b.url).Describe()
	t.Logf("go-judge -parallelism 3: Parallelism %d, config %s, notes %q", info.Parallelism, info.Config, info.Notes)
	switch {
	case info.Parallelism == 3:
	case info.Parallelism == 0 && slices.ContainsFunc(info.Notes, func(n string) bool { return strings.Contains(n, "does not report its parallelism") }):
		t.Logf("go-judge %s does not report its parallelism: Describe().Parallelism is 0, and a note says so", info.Version)
	default:
		t.Errorf("go-judge -parallelism 3: Describe().Parallelism = %d, notes %q; want 3, or 0 with a note that the server does not say", info.Parallelism, info.Notes)
	}
	if info.Executor != "go-judge" || info.Version == "" || info.Spec != "go-judge:"+b.url {
		t.Errorf("Describe() = %+v; want executor go-judge, its version and spec", info)
	}
}

// TestLoopback: a server on this host is not remote; tune caps only a judge
// on this host at its CPUs.
func TestLoopback(t *testing.T) {
	for url, want := range map[string]bool{
		"http://127.0.0.1:5050": true, "http://localhost:5050/x": true, "http://[::1]:80": true,
		"http://judge1:5050": false, "https://10.0.0.2": false, "http://%zz": false,
	} {
		if got := loopback(url); got != want {
			t.Errorf("loopback(%q) = %v; want %v", url, got, want)
		}
	}
}
