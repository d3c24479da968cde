package sandbox

import (
	"strings"
	"testing"
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
