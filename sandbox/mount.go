package sandbox

import (
	"path/filepath"
	"strconv"
	"strings"
)

// CgroupMount is one cgroup (v1) or cgroup2 mount of /proc/self/mountinfo.
type CgroupMount struct {
	Dir     string   // where it is mounted
	Root    string   // the cgroup it shows as its top
	FSType  string   // "cgroup" or "cgroup2"
	Options []string // super options: a v1 hierarchy's controllers
}

// Path is the directory of cgroup (as /proc/self/cgroup names it) under m.
func (m CgroupMount) Path(cgroup string) string {
	return filepath.Join(m.Dir, strings.TrimPrefix(cgroup, m.Root))
}

// ParseMountinfo reads one line of /proc/self/mountinfo, "id parent
// major:minor root mountpoint opts [optional...] - fstype source superopts";
// ok only for a cgroup or cgroup2 mount.
func ParseMountinfo(line string) (CgroupMount, bool) {
	pre, post, ok := strings.Cut(line, " - ")
	if !ok {
		return CgroupMount{}, false
	}
	a, b := strings.Fields(pre), strings.Fields(post)
	if len(a) < 5 || len(b) < 3 || (b[0] != "cgroup" && b[0] != "cgroup2") {
		return CgroupMount{}, false
	}
	return CgroupMount{Dir: unescapeMount(a[4]), Root: unescapeMount(a[3]), FSType: b[0], Options: strings.Split(b[2], ",")}, true
}

func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ParseProcCgroup maps each v1 controller (or "" for v2) of a
// /proc/PID/cgroup file, whose lines are "id:controllers:path", to its path.
func ParseProcCgroup(data string) map[string]string {
	m := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for c := range strings.SplitSeq(parts[1], ",") {
			m[c] = parts[2]
		}
	}
	return m
}

// DelegatedCgroup is the directory under which a judgebench process in
// cgroup (as /proc/self/cgroup names it) of mount m makes its cgroups, in a
// child named judgebench: the highest one, from cgroup's own directory up to
// m's top, that writable says the process may manage. That is the root of the
// hierarchy for root (or the root of its cgroup namespace), the delegated
// cgroup for its owner (systemd's Delegate=yes): the same for every
// judgebench process there, wherever it was started. "" when not even the
// process's own cgroup is writable.
func DelegatedCgroup(m CgroupMount, cgroup string, writable func(dir string) bool) string {
	if root := strings.TrimSuffix(m.Root, "/"); cgroup != m.Root && !strings.HasPrefix(cgroup, root+"/") {
		return "" // not under the mount's top
	}
	top, mount := "", filepath.Clean(m.Dir)
	for d := m.Path(cgroup); strings.HasPrefix(d, mount) && writable(d); d = filepath.Dir(d) {
		top = d
		if d == mount {
			break
		}
	}
	return top
}
