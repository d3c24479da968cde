package judges

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	url    string     // without a trailing slash
	proc   *gjProcess // the go-judge judgebench started; nil: the operator's
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
	// Started is how judgebench started the server; nil: it did not.
	Started *gjStarted `json:"startedByJudgebench,omitempty"`
}

// gjStarted is a go-judge judgebench started: its binary and flags.
type gjStarted struct {
	Binary string   `json:"binary"`
	Flags  []string `json:"flags"`
}

func openGoJudge(ctx context.Context, arg string) (Executor, error) {
	targets, err := parseGoJudgeSpec(arg)
	if err != nil {
		return nil, err
	}
	g := &goJudge{spec: "go-judge:" + arg, client: &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
	}}
	for _, t := range targets {
		if err = g.addServer(ctx, t); err != nil {
			break
		}
	}
	if err == nil {
		g.work, err = newWorkdir("gojudge")
	}
	if err != nil {
		return nil, errors.Join(err, g.stop())
	}
	g.info = g.judgeInfo()
	return g, nil
}

// addServer adds the server at target, a URL or a go-judge binary to start.
func (g *goJudge) addServer(ctx context.Context, target gjTarget) error {
	s := &gjServer{url: target.url, files: map[programKey]*gjUpload{}}
	if target.bin != "" {
		p, err := startGoJudge(ctx, target.bin)
		if err != nil {
			return err
		}
		s.url, s.proc = p.url, p
	}
	g.servers = append(g.servers, s)
	if err := g.describe(ctx, s); err != nil {
		return fmt.Errorf("judges: go-judge at %s: %w", s.url, err)
	}
	return nil
}

// stop stops the servers judgebench started.
func (g *goJudge) stop() error {
	g.client.CloseIdleConnections()
	var errs []error
	for _, s := range g.servers {
		if s.proc != nil {
			if err := s.proc.stop(false); err != nil {
				errs = append(errs, fmt.Errorf("judges: go-judge at %s: stop: %w", s.url, err))
			}
		}
	}
	return errors.Join(errs...)
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
	if p := s.proc; p != nil {
		s.config.Started = &gjStarted{Binary: p.bin, Flags: p.flags}
		if s.config.Parallelism == 0 { // judgebench knows the flags it passed
			s.config.Parallelism = p.parallelism()
		}
	}
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
		if s.proc != nil {
			info.Notes = append(info.Notes, fmt.Sprintf("judgebench started the go-judge at %s (%s %s) for this run: its parallelism is its -parallelism, by default this host's CPU count", s.url, s.proc.bin, strings.Join(s.proc.flags, " ")))
		}
		info.Remote = info.Remote || !loopback(s.url)
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

// Close deletes the files uploaded to the servers and the work directory,
// and stops the servers judgebench started.
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
	return errors.Join(append(errs, g.work.Close(), g.stop())...)
}

// Run runs cmd on the next server.
func (g *goJudge) Run(ctx context.Context, cmd *sandbox.Command) *sandbox.Result {
	s := g.servers[(g.next.Add(1)-1)%uint64(len(g.servers))]
	j := &sandbox.JudgeReport{Executor: "go-judge"}
	fail := func(err error) *sandbox.Result {
		return failed(j, fmt.Errorf("judges: go-judge at %s: %w", s.url, err))
	}
	cmd, replayed, err := g.work.replayable(cmd)
	if err != nil {
		return fail(err)
	}
	defer replayed()
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
	if limit := stderrLimit(cmd.StderrLimit); len(r.Stderr) > limit {
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

// loopback reports whether the server at url runs on this host: its host is
// localhost or a loopback address.
func loopback(url string) bool {
	u, err := neturl.Parse(url)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
