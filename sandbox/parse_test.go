package sandbox

import (
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		line  string
		state byte
		group int
	}{
		{"1234 (sleep) S 1 1234 1234 0 -1", 'S', 1234},
		{"77 (a) b) (c) Z 1 99 99", 'Z', 99},
		{"5 (x y) R 1 -3", 0, -1},
		{"5 (noclose S 1 2", 0, -1},
		{"", 0, -1},
	}
	for _, tt := range tests {
		if state, group := parseStat([]byte(tt.line)); state != tt.state || group != tt.group {
			t.Errorf("parseStat(%q) = %q, %d; want %q, %d", tt.line, state, group, tt.state, tt.group)
		}
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1234 (sleep) S 1 1234 1234 0 -1"))
	f.Add([]byte("77 (a) b) (c) Z 1 99 99"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if state, group := parseStat(data); group >= 0 && state == 0 {
			t.Errorf("parseStat(%q) = no state with group %d", data, group)
		}
	})
}

func TestParseHWM(t *testing.T) {
	tests := []struct {
		status string
		want   Size
	}{
		{"Name:\tcat\nVmPeak:\t    8000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n", 1234 * KiB},
		{"Name:\tx\nVmHWM:\t0 kB", 0},
		{"Name:\tzombie\nState:\tZ (zombie)\n", 0},
		{"Name:\tx\nVmHWM:\t-5 kB\n", 0},
		{"Name:\tx\nVmHWM:\t99999999999999999999 kB\n", 0},
		{"VmHWM:\t12 kB\n", 0}, // not a line's start: a status begins with Name
	}
	for _, tt := range tests {
		if got := parseHWM([]byte(tt.status)); got != tt.want {
			t.Errorf("parseHWM(%q) = %v; want %v", tt.status, got, tt.want)
		}
	}
}

// TestWholeLine: vmHWM parses the first page of a status file only when
// the VmHWM line is all in it.
func TestWholeLine(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{"Name:\tx\nVmHWM:\t 12 kB\nVmRSS:", true},
		{"Name:\tx\nVmHWM:\t 12 kB\n", true},
		{"Name:\tx\nVmHWM:\t 12", false}, // 12 may be the start of 1234
		{"Name:\tx\nVmHW", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := wholeLine([]byte(tt.data), "\nVmHWM:"); got != tt.want {
			t.Errorf("wholeLine(%q) = %v; want %v", tt.data, got, tt.want)
		}
	}
}

func FuzzParseHWM(f *testing.F) {
	f.Add([]byte("Name:\tcat\nVmHWM:\t    1234 kB\n"))
	f.Add([]byte("Name:\tx\nVmHWM:\t9223372036854775807 kB\n"))
	f.Fuzz(func(t *testing.T, status []byte) {
		if got := parseHWM(status); got < 0 {
			t.Errorf("parseHWM(%q) = %v; want no negative size", status, got)
		}
	})
}

func TestParseMountinfo(t *testing.T) {
	tests := []struct {
		line string
		want CgroupMount
		ok   bool
	}{
		{"35 25 0:30 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory",
			CgroupMount{Dir: "/sys/fs/cgroup/memory", Root: "/", FSType: "cgroup", Options: []string{"rw", "memory"}}, true},
		{"40 25 0:35 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate",
			CgroupMount{Dir: "/sys/fs/cgroup", Root: "/docker/abc", FSType: "cgroup2", Options: []string{"rw", "nsdelegate"}}, true},
		{`41 25 0:36 / /mnt/with\040space rw - cgroup2 none rw`,
			CgroupMount{Dir: "/mnt/with space", Root: "/", FSType: "cgroup2", Options: []string{"rw"}}, true},
		{"22 1 8:1 / / rw - ext4 /dev/sda1 rw", CgroupMount{}, false},
		{"garbage", CgroupMount{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseMountinfo(tt.line)
		if ok != tt.ok || got.Dir != tt.want.Dir || got.Root != tt.want.Root || got.FSType != tt.want.FSType ||
			strings.Join(got.Options, ",") != strings.Join(tt.want.Options, ",") {
			t.Errorf("ParseMountinfo(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
	if got := (CgroupMount{Dir: "/sys/fs/cgroup", Root: "/docker/abc"}).Path("/docker/abc/x"); got != "/sys/fs/cgroup/x" {
		t.Errorf("path under a mount of /docker/abc = %q; want /sys/fs/cgroup/x", got)
	}
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add("35 25 0:30 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory")
	f.Add(`41 25 0:36 / /mnt/with\040space rw - cgroup2 none rw`)
	f.Fuzz(func(t *testing.T, line string) {
		if m, ok := ParseMountinfo(line); ok && !strings.HasPrefix(m.FSType, "cgroup") {
			t.Errorf("ParseMountinfo(%q) accepted fstype %q", line, m.FSType)
		}
	})
}

func TestParseProcCgroup(t *testing.T) {
	got := ParseProcCgroup("12:pids:/a\n4:cpu,cpuacct:/b c\n0::/judge\nbroken\n")
	want := map[string]string{"pids": "/a", "cpu": "/b c", "cpuacct": "/b c", "": "/judge"}
	if len(got) != len(want) {
		t.Fatalf("ParseProcCgroup = %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("ParseProcCgroup()[%q] = %q; want %q", k, got[k], v)
		}
	}
}

func FuzzParseProcCgroup(f *testing.F) {
	f.Add("0::/judge\n4:cpu,cpuacct:/a b\n")
	f.Add("::")
	f.Fuzz(func(t *testing.T, data string) {
		for c, path := range ParseProcCgroup(data) {
			if strings.Contains(c, ",") || strings.Contains(path, "\n") {
				t.Errorf("ParseProcCgroup(%q) has %q: %q; want one controller, one line", data, c, path)
			}
		}
	})
}

func TestParseStart(t *testing.T) {
	// Fields 3 to 22 of /proc/PID/stat: state, then 18 more, then starttime.
	stat := func(comm, state, start string) string {
		return "4242 (" + comm + ") " + state + " 1 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 1 0 " + start + " 1000 200"
	}
	tests := []struct {
		line    string
		start   uint64
		running bool
	}{
		{stat("judgebench", "S", "886138"), 886138, true},
		{stat("a) b (c", "R", "17"), 17, true},
		{stat("judgebench", "Z", "886138"), 886138, false},
		{stat("judgebench", "X", "5"), 5, false},
		{stat("x", "S", "-1"), 0, false},
		{"4242 (short) S 1 2 3", 0, false},
		{"garbage", 0, false},
	}
	for _, tt := range tests {
		if start, running := parseStart([]byte(tt.line)); start != tt.start || running != tt.running {
			t.Errorf("parseStart(%q) = %d, %v; want %d, %v", tt.line, start, running, tt.start, tt.running)
		}
	}
}

func TestParseOwner(t *testing.T) {
	tests := []struct {
		name  string
		pid   int
		start uint64
		ok    bool
	}{
		{"4242-886138-1", 4242, 886138, true},
		{"4242-886138-harness", 4242, 886138, true},
		{"4242-886138", 4242, 886138, true},
		{"4242", 0, 0, false},
		{"judgebench-4242-18ecc", 0, 0, false}, // the old layout's names
		{"0-5-1", 0, 0, false},
		{"x-5-1", 0, 0, false},
	}
	for _, tt := range tests {
		if pid, start, ok := parseOwner(tt.name); pid != tt.pid || start != tt.start || ok != tt.ok {
			t.Errorf("parseOwner(%q) = %d, %d, %v; want %d, %d, %v", tt.name, pid, start, ok, tt.pid, tt.start, tt.ok)
		}
	}
}

func TestDelegatedCgroup(t *testing.T) {
	v2 := CgroupMount{Dir: "/sys/fs/cgroup", Root: "/", FSType: "cgroup2"}
	ns := CgroupMount{Dir: "/sys/fs/cgroup", Root: "/docker/abc", FSType: "cgroup2"}
	all := func(string) bool { return true }
	under := func(dir string) func(string) bool {
		return func(d string) bool { return d == dir || strings.HasPrefix(d, dir+"/") }
	}
	tests := []struct {
		name     string
		m        CgroupMount
		cgroup   string
		writable func(string) bool
		want     string
	}{
		{"root in a session", v2, "/user.slice/user-0.slice/session-3.scope", all, "/sys/fs/cgroup"},
		{"root at the root", v2, "/", all, "/sys/fs/cgroup"},
		{"a delegated owner", v2, "/judge.slice/owned", under("/sys/fs/cgroup/judge.slice/owned"), "/sys/fs/cgroup/judge.slice/owned"},
		{"its leaf", v2, "/judge.slice/owned/judgebench/7-99-harness", under("/sys/fs/cgroup/judge.slice/owned"), "/sys/fs/cgroup/judge.slice/owned"},
		{"nothing delegated", v2, "/user.slice", under("/sys/fs/cgroup/judge.slice"), ""},
		{"a cgroup namespace", ns, "/docker/abc", all, "/sys/fs/cgroup"},
		{"outside the mount", ns, "/other", all, ""},
	}
	for _, tt := range tests {
		if got := DelegatedCgroup(tt.m, tt.cgroup, tt.writable); got != tt.want {
			t.Errorf("%s: DelegatedCgroup(%s, %q) = %q; want %q", tt.name, tt.m.Dir, tt.cgroup, got, tt.want)
		}
	}
}

func TestSplitCPU(t *testing.T) {
	tests := []struct {
		total, user, sys time.Duration
		wantUser         time.Duration
	}{
		{1000, 3, 1, 750},
		{1000, 0, 0, 1000}, // no samples: all user, as the kernel has it
		{1000, 0, 7, 0},
		{1618222 * time.Microsecond, 1604 * time.Millisecond, 12 * time.Millisecond, 1606205500},
		{1000, -5, 10, 1000},
	}
	for _, tt := range tests {
		u, s := splitCPU(tt.total, tt.user, tt.sys)
		if u+s != tt.total || (u-tt.wantUser).Abs() > time.Microsecond {
			t.Errorf("splitCPU(%v, %v, %v) = %v, %v; want %v and the rest, adding up to the total", tt.total, tt.user, tt.sys, u, s, tt.wantUser)
		}
	}
}
