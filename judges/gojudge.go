package judges

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/judgebench/judgebench/results"
	"github.com/judgebench/judgebench/sandbox"
)

// goJudge runs cases through go-judge servers (criyle/go-judge) over their
// REST API, one case per POST /run, the servers taken in turn. Programs and
// input files are uploaded once per server (POST /file) and named by their
// file ids, so a server need not share judgebench's file system.
type goJudge struct {
	spec    string
	client  *http.Client
	servers []*gjServer
	next    atomic.Uint64
	work    *workdir
	info    results.JudgeInfo
}

// gjServer is one go-judge server and the files uploaded to it.
type gjServer struct {
	url    string // without a trailing slash
	config gjConfig

	mu    sync.Mutex
	files map[programKey]*gjUpload
}

// gjUpload is a file being, or done being, uploaded: done is closed when id
// or err is set.
type gjUpload struct {
	done chan struct{}
	id   string
	err  error
}

// gjConfig is what judgebench records of a server: its /version and the
// parts of its /config that bear on measurement.
type gjConfig struct {
	URL     string `json:"url"`
	Version string `json:"version"`
	// Parallelism is how many commands the server runs at once; 0 when
	// /config does not say (go-judge up to v1.12.2 does not).
	Parallelism       int      `json:"parallelism,omitempty"`
	CgroupType        int      `json:"cgroupType"` // 1 or 2; 0: rlimits and rusage only
	CgroupControllers []string `json:"cgroupControllers"`
	UID               int      `json:"uid"`
	WorkDir           string   `json:"workDir"`
}

// gjMaxContent is the largest stdin sent inline as {"content"}; larger ones,
// and ones that are not UTF-8 (a JSON string cannot carry them), are uploaded.
const gjMaxContent = 64 << 10

// gjPath is the environment of a command whose Env is nil: the harness's own
// means nothing on another host.
var gjPath = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}

func openGoJudge(ctx context.Context, arg string) (Executor, error) {
	urls, err := parseGoJudgeURLs(arg)
	if err != nil {
		return nil, err
	}
	g := &goJudge{spec: "go-judge:" + arg, client: &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
	}}
	for _, u := range urls {
		s := &gjServer{url: u, files: map[programKey]*gjUpload{}}
		if err := g.describe(ctx, s); err != nil {
			g.client.CloseIdleConnections()
			return nil, fmt.Errorf("judges: go-judge at %s: %w", u, err)
		}
		g.servers = append(g.servers, s)
	}
	if g.work, err = newWorkdir("gojudge"); err != nil {
		g.client.CloseIdleConnections()
		return nil, err
	}
	g.info = g.judgeInfo()
	return g, nil
}

// parseGoJudgeURLs splits a comma-separated list of http and https URLs.
func parseGoJudgeURLs(arg string) ([]string, error) {
	var urls []string
	for s := range strings.SplitSeq(arg, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, fmt.Errorf("judges: go-judge: empty URL in %q", arg)
		}
		lower := strings.ToLower(s)
		if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
			return nil, fmt.Errorf("judges: go-judge URL %q: want http:// or https://", s)
		}
		u, err := url.Parse(s)
		if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
			err = uerr.Err
		}
		switch {
		case err != nil:
			return nil, fmt.Errorf("judges: go-judge URL %q: %w", s, err)
		case u.Host == "":
			return nil, fmt.Errorf("judges: go-judge URL %q: no host", s)
		case u.RawQuery != "" || u.Fragment != "":
			return nil, fmt.Errorf("judges: go-judge URL %q: a query or fragment has no meaning here", s)
		}
		urls = append(urls, strings.TrimSuffix(u.String(), "/"))
	}
	return urls, nil
}

// describe reads s's /version and /config.
func (g *goJudge) describe(ctx context.Context, s *gjServer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var version struct {
		BuildVersion string `json:"buildVersion"`
	}
	if err := g.get(ctx, s.url+"/version", &version); err != nil {
		return fmt.Errorf("GET /version: %w", err)
	}
	var config struct {
		Parallelism  int `json:"parallelism"`
		RunnerConfig struct {
			CgroupType        int      `json:"cgroupType"`
			CgroupControllers []string `json:"cgroupControllers"`
			UID               int      `json:"uid"`
			WorkDir           string   `json:"workDir"`
		} `json:"runnerConfig"`
	}
	if err := g.get(ctx, s.url+"/config", &config); err != nil {
		return fmt.Errorf("GET /config: %w", err)
	}
	rc := config.RunnerConfig
	s.config = gjConfig{URL: s.url, Version: version.BuildVersion, Parallelism: config.Parallelism,
		CgroupType: rc.CgroupType, CgroupControllers: rc.CgroupControllers, UID: rc.UID, WorkDir: rc.WorkDir}
	return nil
}

// judgeInfo describes the servers, once they have answered.
func (g *goJudge) judgeInfo() results.JudgeInfo {
	info := results.JudgeInfo{Executor: "go-judge", Spec: g.spec, Notes: []string{
		"go-judge checks the CPU and clock limits every 100 ms (its -time-limit-checker-interval default, which /config does not report): a program is killed up to one interval past its limit",
		"memory is the peak of the run's cgroup (page cache included), and the limit is that cgroup's",
		"stdout and stderr come back as JSON strings: bytes that are not UTF-8 arrive as U+FFFD; stderr past its collector's max is go-judge's Output Limit Exceeded",
	}}
	var versions []string
	configs := make([]gjConfig, len(g.servers))
	unknown := false
	for i, s := range g.servers {
		configs[i] = s.config
		if !slices.Contains(versions, s.config.Version) {
			versions = append(versions, s.config.Version)
		}
		info.Parallelism += s.config.Parallelism
		unknown = unknown || s.config.Parallelism == 0
		if s.config.CgroupType == 0 {
			info.Notes = append(info.Notes, s.url+" runs without cgroups (rlimits and rusage): its time is the program's user time only, its memory its ru_maxrss")
		}
	}
	info.Version = strings.Join(versions, ", ")
	info.Config, _ = json.Marshal(configs)
	if unknown {
		info.Parallelism = 0
		info.Notes = append(info.Notes, "go-judge's /config does not report its parallelism (-parallelism, default its CPU count): a sweep beyond it measures its queue, not its cases")
	} else {
		info.Notes = append(info.Notes, fmt.Sprintf("the servers run %d cases at once: a sweep beyond that measures their queue, not their cases", info.Parallelism))
	}
	return info
}

// Describe says which go-judge servers run the cases and how they measure.
func (g *goJudge) Describe() results.JudgeInfo { return g.info }

// Close deletes the files uploaded to the servers and the work directory.
func (g *goJudge) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, s := range g.servers {
		s.mu.Lock()
		for _, u := range s.files {
			select {
			case <-u.done:
				if u.err == nil {
					errs = append(errs, g.remove(ctx, s, u.id))
				}
			default: // still uploading: a Run outlived Close
			}
		}
		clear(s.files)
		s.mu.Unlock()
	}
	g.client.CloseIdleConnections()
	return errors.Join(append(errs, g.work.Close())...)
}

// Run runs cmd on the next server.
func (g *goJudge) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	s := g.servers[(g.next.Add(1)-1)%uint64(len(g.servers))]
	j := &sandbox.JudgeReport{Executor: "go-judge"}
	fail := func(err error) *sandbox.Result {
		return failed(j, fmt.Errorf("judges: go-judge at %s: %w", s.url, err))
	}
	c, done, err := g.command(ctx, s, cmd)
	if err != nil {
		return fail(err)
	}
	defer done()
	start := time.Now()
	res, raw, err := g.run(ctx, s, c)
	j.Latency = time.Since(start)
	if serr := (*gjStatusError)(nil); errors.As(err, &serr) && serr.code == http.StatusInternalServerError {
		// Such as "file does not exists with id": a server that restarted
		// lost its uploads. The next case uploads them again.
		g.forget(s, c.CopyIn["prog"].FileID, c.Files[0].FileID)
	}
	if err != nil {
		return fail(err)
	}
	j.Status, j.Raw = res.Status, raw
	r := res.result(s.url, cmd.Limits.WithDefaults())
	r.Judge = j
	r.Stderr = []byte(res.Files["stderr"])
	if limit := gjStderrLimit(cmd); len(r.Stderr) > limit {
		r.Stderr = r.Stderr[:limit] // a collector past its max keeps one byte more
	}
	output := g.work.file(".out")
	defer os.Remove(output)
	if err := os.WriteFile(output, []byte(res.Files["stdout"]), 0o600); err != nil {
		return fail(err)
	}
	finish(ctx, cmd, r, output)
	return r
}

// gjCmd is one command of a POST /run request.
type gjCmd struct {
	Args        []string          `json:"args"`
	Env         []string          `json:"env"`
	Files       []gjFile          `json:"files"`
	CPULimit    int64             `json:"cpuLimit"`    // ns
	ClockLimit  int64             `json:"clockLimit"`  // ns
	MemoryLimit int64             `json:"memoryLimit"` // bytes
	StackLimit  int64             `json:"stackLimit"`  // bytes
	ProcLimit   int               `json:"procLimit"`
	CopyIn      map[string]gjFile `json:"copyIn"`
}

// gjFile is a file of a command: inline content, an uploaded file, or a
// collector of an output (name and max).
type gjFile struct {
	Content *string `json:"content,omitempty"`
	FileID  string  `json:"fileId,omitempty"`
	Name    string  `json:"name,omitempty"`
	Max     int64   `json:"max,omitempty"`
}

// command is cmd as go-judge runs it on s, uploading what s lacks; done
// removes what was uploaded for this case alone.
func (g *goJudge) command(ctx context.Context, s *gjServer, cmd *sandbox.Command) (c gjCmd, done func(), err error) {
	prog, err := g.program(ctx, s, cmd.Path)
	if err != nil {
		return c, nil, err
	}
	stdin, done, err := g.stdin(ctx, s, cmd.Stdin)
	if err != nil {
		return c, nil, err
	}
	l := cmd.Limits.WithDefaults()
	env := cmd.Env
	if env == nil {
		env = gjPath
	}
	return gjCmd{
		Args:        append([]string{"prog"}, cmd.Args...),
		Env:         env,
		Files:       []gjFile{stdin, {Name: "stdout", Max: int64(l.Output)}, {Name: "stderr", Max: int64(gjStderrLimit(cmd))}},
		CPULimit:    l.CPUTime.Nanoseconds(),
		ClockLimit:  l.RealTime.Nanoseconds(),
		MemoryLimit: int64(l.Memory),
		StackLimit:  int64(l.Stack),
		ProcLimit:   l.Processes,
		CopyIn:      map[string]gjFile{"prog": {FileID: prog}},
	}, done, nil
}

// program returns the file id on s of the program at path, uploading it
// once per version. A name without a slash is looked up in PATH.
func (g *goJudge) program(ctx context.Context, s *gjServer, path string) (string, error) {
	abs, err := gjLookProgram(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s: not an executable file", path)
	}
	return g.cached(ctx, s, programKey{abs, st.Size(), st.ModTime()}, func() (io.ReadCloser, error) {
		return os.Open(abs)
	})
}

// stdin is the file go-judge reads as the case's stdin: inline content
// when small, else an upload (once per version of a regular file; once per
// case of anything else, which done then removes).
func (g *goJudge) stdin(ctx context.Context, s *gjServer, in io.Reader) (f gjFile, done func(), err error) {
	nop := func() {}
	if in == nil {
		return gjFile{Content: new("")}, nop, nil
	}
	if file, ok := in.(*os.File); ok {
		if st, err := file.Stat(); err == nil && st.Mode().IsRegular() {
			abs, err := filepath.Abs(file.Name())
			if err != nil {
				return f, nil, err
			}
			id, err := g.cached(ctx, s, programKey{abs, st.Size(), st.ModTime()}, func() (io.ReadCloser, error) {
				return io.NopCloser(io.NewSectionReader(file, 0, st.Size())), nil
			})
			return gjFile{FileID: id}, nop, err
		}
	}
	head, err := io.ReadAll(io.LimitReader(in, gjMaxContent+1))
	if err != nil {
		return f, nil, fmt.Errorf("read the input: %w", err)
	}
	if len(head) <= gjMaxContent && utf8.Valid(head) {
		return gjFile{Content: new(string(head))}, nop, nil
	}
	id, err := g.upload(ctx, s, io.MultiReader(bytes.NewReader(head), in))
	if err != nil {
		return f, nil, err
	}
	return gjFile{FileID: id}, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		g.remove(ctx, s, id)
	}, nil
}

// cached returns the id on s of the file key names, uploading what open
// reads the first time. A failed upload is not kept: the next case tries
// again.
func (g *goJudge) cached(ctx context.Context, s *gjServer, key programKey, open func() (io.ReadCloser, error)) (string, error) {
	for {
		s.mu.Lock()
		u, ok := s.files[key]
		if !ok {
			u = &gjUpload{done: make(chan struct{})}
			s.files[key] = u
		}
		s.mu.Unlock()
		if !ok {
			u.id, u.err = g.uploadFile(ctx, s, open)
			if u.err != nil {
				s.mu.Lock()
				delete(s.files, key)
				s.mu.Unlock()
			}
			close(u.done)
			return u.id, u.err
		}
		select {
		case <-u.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if u.err == nil {
			return u.id, nil
		}
	}
}

// forget drops the uploads ids from s's cache, and from s where it still
// has them.
func (g *goJudge) forget(s *gjServer, ids ...string) {
	var gone []string
	s.mu.Lock()
	for key, u := range s.files {
		select {
		case <-u.done:
			if u.err == nil && slices.Contains(ids, u.id) {
				delete(s.files, key)
				gone = append(gone, u.id)
			}
		default:
		}
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range gone {
		g.remove(ctx, s, id)
	}
}

func (g *goJudge) uploadFile(ctx context.Context, s *gjServer, open func() (io.ReadCloser, error)) (string, error) {
	f, err := open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	return g.upload(ctx, s, f)
}

// upload sends what r reads to s as a new file and returns its id.
func (g *goJudge) upload(ctx context.Context, s *gjServer, r io.Reader) (string, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		part, err := mw.CreateFormFile("file", "judgebench")
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	defer func() { pr.Close(); <-copied }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/file", pr)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var id string
	if err := g.do(req, &id); err != nil {
		return "", fmt.Errorf("POST /file: %w", err)
	}
	return id, nil
}

// remove deletes the uploaded file id from s, if s still has it.
func (g *goJudge) remove(ctx context.Context, s *gjServer, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.url+"/file/"+url.PathEscape(id), nil)
	if err == nil {
		err = g.do(req, nil)
	}
	if serr := (*gjStatusError)(nil); errors.As(err, &serr) && serr.code == http.StatusNotFound {
		return nil // gone already
	}
	if err != nil {
		return fmt.Errorf("judges: go-judge at %s: DELETE /file/%s: %w", s.url, id, err)
	}
	return nil
}

// run posts c to s and returns its result and the raw result without the
// files' contents.
func (g *goJudge) run(ctx context.Context, s *gjServer, c gjCmd) (res gjResult, raw json.RawMessage, err error) {
	body, err := json.Marshal(struct {
		Cmd []gjCmd `json:"cmd"`
	}{[]gjCmd{c}})
	if err != nil {
		return res, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/run", bytes.NewReader(body))
	if err != nil {
		return res, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var all []json.RawMessage
	if err := g.do(req, &all); err != nil {
		return res, nil, fmt.Errorf("POST /run: %w", err)
	}
	if len(all) != 1 {
		return res, nil, fmt.Errorf("POST /run: %d results for one command", len(all))
	}
	if err := json.Unmarshal(all[0], &res); err != nil {
		return res, nil, fmt.Errorf("POST /run: %w", err)
	}
	raw, err = gjWithoutContents(all[0])
	return res, raw, err
}

// gjWithoutContents is the result object raw with each file's content
// replaced by its length in bytes.
func gjWithoutContents(raw json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	if f, ok := fields["files"]; ok {
		var files map[string]string
		if err := json.Unmarshal(f, &files); err != nil {
			return nil, err
		}
		lengths := map[string]int{}
		for name, content := range files {
			lengths[name] = len(content)
		}
		fields["files"], _ = json.Marshal(lengths)
	}
	return json.Marshal(fields)
}

// get decodes the JSON answer to a GET of u into out.
func (g *goJudge) get(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return g.do(req, out)
}

// do sends req and decodes a 200 answer into out (nil: discard it). Another
// status is an error with go-judge's reason, a JSON string.
func (g *goJudge) do(req *http.Request, out any) error {
	resp, err := g.client.Do(req)
	if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
		err = uerr.Err // without the method and URL, which the caller names
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var reason string
		if json.Unmarshal(body, &reason) != nil {
			reason, _, _ = strings.Cut(strings.TrimSpace(string(body)), "\n")
		}
		if reason == "" {
			reason = http.StatusText(resp.StatusCode)
		}
		return &gjStatusError{resp.StatusCode, reason}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	return nil
}

// gjStatusError is an answer other than 200 OK, with go-judge's reason.
type gjStatusError struct {
	code   int
	reason string
}

func (e *gjStatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.reason) }

// gjResult is go-judge's result of one command.
type gjResult struct {
	Status     string            `json:"status"`
	ExitStatus int               `json:"exitStatus"` // exit code, or the signal that ended it
	Error      string            `json:"error"`
	Time       int64             `json:"time"`    // CPU ns
	RunTime    int64             `json:"runTime"` // wall ns
	Memory     int64             `json:"memory"`  // bytes
	Files      map[string]string `json:"files"`
}

// result is res in judgebench's terms, under the limits l. go-judge has one
// status for both time limits: the figures tell which.
func (res gjResult) result(server string, l sandbox.Limits) *sandbox.Result {
	r := &sandbox.Result{
		CPUTime: time.Duration(res.Time), RealTime: time.Duration(res.RunTime),
		Memory: sandbox.Size(res.Memory), MemorySource: "go-judge:memory",
		ExitCode: -1, Error: res.Error, Isolation: isolation,
	}
	switch res.Status {
	case "Accepted":
		r.Verdict, r.ExitCode = sandbox.Accepted, 0
	case "Nonzero Exit Status":
		r.Verdict, r.ExitCode = sandbox.RuntimeError, res.ExitStatus
	case "Signalled", "Dangerous Syscall":
		r.Verdict, r.Signal = sandbox.RuntimeError, res.ExitStatus
	case "Time Limit Exceeded":
		r.Verdict = sandbox.RealTimeLimitExceeded
		if r.CPUTime >= l.CPUTime {
			r.Verdict = sandbox.CPUTimeLimitExceeded
		}
		r.ExitCode, r.Signal = gjLimitEnd(res.ExitStatus)
	case "Memory Limit Exceeded":
		r.Verdict = sandbox.MemoryLimitExceeded
		r.ExitCode, r.Signal = gjLimitEnd(res.ExitStatus)
	case "Output Limit Exceeded":
		r.Verdict = sandbox.OutputLimitExceeded
		r.ExitCode, r.Signal = gjLimitEnd(res.ExitStatus)
	default: // File Error, Internal Error, and those no single run gets
		r.Verdict = sandbox.SystemError
		r.Error = fmt.Sprintf("judges: go-judge at %s: %s", server, res.Status)
		if res.Error != "" {
			r.Error += ": " + res.Error
		}
	}
	return r
}

// gjLimitEnd is how a program stopped at a limit ended: go-judge reports the
// signal that killed it (9 from its own killer), or exit status 0 when it
// set the status after a clean exit (a figure over its limit).
func gjLimitEnd(status int) (exitCode, signal int) {
	if status == 0 {
		return 0, 0
	}
	return -1, status
}

// gjStderrLimit is how many bytes of stderr a Result keeps: 64KiB unless cmd
// says.
func gjStderrLimit(cmd *sandbox.Command) int {
	if cmd.StderrLimit <= 0 {
		return 64 << 10
	}
	return int(cmd.StderrLimit)
}

// gjLookProgram is the absolute path of the program path names; a name
// without a slash is looked up in PATH.
func gjLookProgram(path string) (string, error) {
	if !strings.Contains(path, "/") {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", err
		}
		path = p
	}
	return filepath.Abs(path)
}
