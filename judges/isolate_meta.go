package judges

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/sandbox"
)

// isolateMeta is isolate's meta file: key:value lines, kept in order; a
// repeated key's last value wins.
type isolateMeta struct {
	keys []string
	vals map[string]string
}

// readMeta reads and parses the meta file at path.
func readMeta(path string) (isolateMeta, error) {
	b, err := os.ReadFile(path)
	return parseMeta(b), err
}

// parseMeta parses a meta file; lines without a colon are skipped.
func parseMeta(b []byte) isolateMeta {
	m := isolateMeta{vals: map[string]string{}}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if !ok || k == "" {
			continue
		}
		if _, seen := m.vals[k]; !seen {
			m.keys = append(m.keys, k)
		}
		m.vals[k] = v
	}
	return m
}

func (m isolateMeta) get(k string) string { return m.vals[k] }

// status is isolate's verdict: RE, SG, TO or XX, or OK when it gives none.
func (m isolateMeta) status() string {
	if s := m.get("status"); s != "" {
		return s
	}
	return "OK"
}

// seconds is key k as a duration of seconds, 0 when absent or malformed.
func (m isolateMeta) seconds(k string) time.Duration {
	f, err := strconv.ParseFloat(m.get(k), 64)
	if err != nil || f < 0 || f > math.MaxInt64/1e9 {
		return 0
	}
	return time.Duration(math.Round(f * 1e9))
}

// int is key k as an integer, and whether it is one.
func (m isolateMeta) int(k string) (int64, bool) {
	n, err := strconv.ParseInt(m.get(k), 10, 64)
	return n, err == nil
}

// jsonNumber matches what may go in JSON as a number as it is.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,9})?$`)

// JSON is m as one JSON object, in the file's order: numbers as numbers,
// anything else as strings.
func (m isolateMeta) JSON() json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		if v := m.vals[k]; jsonNumber.MatchString(v) {
			b.WriteString(v)
		} else {
			val, _ := json.Marshal(v)
			b.Write(val)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// result is the case's result as the meta file tells it: verdict and
// figures.
func (m isolateMeta) result() *sandbox.Result {
	r := &sandbox.Result{
		Verdict:  m.verdict(),
		CPUTime:  m.seconds("time"),
		RealTime: m.seconds("time-wall"),
		ExitCode: -1,
	}
	if n, ok := m.int("exitcode"); ok {
		r.ExitCode = int(n)
	}
	if n, ok := m.int("exitsig"); ok {
		r.Signal = int(n)
	}
	if n, ok := m.int("max-rss"); ok {
		r.Memory, r.MaxRSS, r.MemorySource = sandbox.Size(n)*sandbox.KiB, sandbox.Size(n)*sandbox.KiB, "isolate:max-rss"
	}
	if n, ok := m.int("cg-mem"); ok {
		r.Memory, r.MemorySource = sandbox.Size(n)*sandbox.KiB, "isolate:cg-mem"
	}
	r.VoluntarySwitches, _ = m.int("csw-voluntary")
	r.InvoluntarySwitches, _ = m.int("csw-forced")
	return r
}

// verdict maps isolate's status to judgebench's verdict.
func (m isolateMeta) verdict() sandbox.Verdict {
	_, oom := m.vals["cg-oom-killed"]
	switch s := m.get("status"); {
	case s == "":
		return sandbox.Accepted
	case s == "TO" && strings.Contains(m.get("message"), "wall clock"):
		return sandbox.RealTimeLimitExceeded
	case s == "TO":
		return sandbox.CPUTimeLimitExceeded
	case (s == "SG" || s == "RE") && oom:
		return sandbox.MemoryLimitExceeded
	case s == "SG" && m.get("exitsig") == strconv.Itoa(int(syscall.SIGXFSZ)):
		return sandbox.OutputLimitExceeded
	case s == "SG" || s == "RE":
		return sandbox.RuntimeError
	}
	return sandbox.SystemError
}
