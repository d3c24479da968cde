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
		want mount
		ok   bool
	}{
		{"35 25 0:30 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory",
			mount{dir: "/sys/fs/cgroup/memory", root: "/", fstype: "cgroup", options: []string{"rw", "memory"}}, true},
		{"40 25 0:35 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate",
			mount{dir: "/sys/fs/cgroup", root: "/docker/abc", fstype: "cgroup2", options: []string{"rw", "nsdelegate"}}, true},
		{`41 25 0:36 / /mnt/with\040space rw - cgroup2 none rw`,
			mount{dir: "/mnt/with space", root: "/", fstype: "cgroup2", options: []string{"rw"}}, true},
		{"22 1 8:1 / / rw - ext4 /dev/sda1 rw", mount{}, false},
		{"garbage", mount{}, false},
	}
	for _, tt := range tests {
		got, ok := parseMountinfo(tt.line)
		if ok != tt.ok || got.dir != tt.want.dir || got.root != tt.want.root || got.fstype != tt.want.fstype ||
			strings.Join(got.options, ",") != strings.Join(tt.want.options, ",") {
			t.Errorf("parseMountinfo(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
	if got := (mount{dir: "/sys/fs/cgroup", root: "/docker/abc"}).path("/docker/abc/x"); got != "/sys/fs/cgroup/x" {
		t.Errorf("path under a mount of /docker/abc = %q; want /sys/fs/cgroup/x", got)
	}
}

func FuzzParseMountinfo(f *testing.F) {
	f.Add("35 25 0:30 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory")
	f.Add(`41 25 0:36 / /mnt/with\040space rw - cgroup2 none rw`)
	f.Fuzz(func(t *testing.T, line string) {
		if m, ok := parseMountinfo(line); ok && !strings.HasPrefix(m.fstype, "cgroup") {
			t.Errorf("parseMountinfo(%q) accepted fstype %q", line, m.fstype)
		}
	})
}
