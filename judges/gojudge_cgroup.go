package judges

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/judgebench/judgebench/sandbox"
	"golang.org/x/sys/unix"
)

// The cgroups of a go-judge judgebench starts, all named by its prefix.
//
// With cgroup v1 (what go-judge uses whenever /sys/fs/cgroup is not a
// cgroup2 mount) it makes <mount>/<prefix>, with api/ and containers/
// inside, under each controller it uses, and leaves them at exit.
//
// With cgroup v2 it asks systemd for a transient scope <prefix>.scope, or,
// without a systemd bus, nests in the cgroup it was started in: it makes
// api/ and containers/ there and moves every process of that cgroup into
// api/. judgebench must not be one of them, so it starts go-judge in a
// cgroup of its own, <judgebench's cgroup>/<prefix>, where whatever
// go-judge makes is judgebench's to remove.

// gjCgroupRoot is where cgroup v2 is mounted when go-judge uses it.
const gjCgroupRoot = "/sys/fs/cgroup"

// makeCgroup makes, with cgroup v2, the cgroup go-judge starts in and
// returns it open (nil with cgroup v1, where nothing need be made).
func (p *gjProcess) makeCgroup() (*os.File, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(gjCgroupRoot, &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil, nil
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	own, ok := sandbox.ParseProcCgroup(string(self))[""]
	if !ok {
		return nil, fmt.Errorf("cgroup v2: no 0:: line in /proc/self/cgroup")
	}
	p.cgroup = filepath.Join(gjCgroupRoot, own, p.prefix)
	if err := os.Mkdir(p.cgroup, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		p.cgroup = ""
		return nil, fmt.Errorf("cgroup v2: a cgroup to start go-judge in (else it would move judgebench into its own): %w", err)
	}
	return os.Open(p.cgroup)
}

// removeCgroups removes, deepest first, the cgroups the go-judge made (and
// the one judgebench made for it), giving their last tasks 2s to go.
func (p *gjProcess) removeCgroups() error {
	deadline := time.Now().Add(2 * time.Second)
	var left []string
	for _, top := range gjCgroups(p.prefix, p.cgroup) {
		var dirs []string
		filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for _, d := range slices.Backward(dirs) {
			for err := syscall.Rmdir(d); err != nil && !errors.Is(err, fs.ErrNotExist); err = syscall.Rmdir(d) {
				if time.Now().After(deadline) {
					left = append(left, fmt.Sprintf("%s (%v)", d, err))
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("cgroups left behind: %s", strings.Join(left, ", "))
	}
	return nil
}

// gjCgroups are the cgroups that exist of a go-judge with cgroup prefix
// prefix, started in the v2 cgroup own ("": none): <mount>/<prefix> in each
// v1 hierarchy; own, and a systemd scope <prefix>.scope anywhere in v2.
func gjCgroups(prefix, own string) []string {
	var found []string
	v1, v2 := cgroupMounts()
	for _, m := range v1 {
		if st, err := os.Stat(filepath.Join(m, prefix)); err == nil && st.IsDir() {
			found = append(found, filepath.Join(m, prefix))
		}
	}
	if st, err := os.Stat(own); own != "" && err == nil && st.IsDir() {
		found = append(found, own)
	}
	for _, m := range v2 {
		filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == prefix+".scope" {
				found = append(found, path)
				return filepath.SkipDir
			}
			return nil
		})
	}
	return found
}

// cgroupMounts are the mount points of the cgroup v1 hierarchies and of
// cgroup v2, from /proc/self/mountinfo.
func cgroupMounts() (v1, v2 []string) {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	for line := range strings.Lines(string(data)) {
		m, ok := sandbox.ParseMountinfo(strings.TrimSuffix(line, "\n"))
		switch {
		case ok && m.FSType == "cgroup":
			v1 = append(v1, m.Dir)
		case ok && m.FSType == "cgroup2":
			v2 = append(v2, m.Dir)
		}
	}
	return v1, v2
}
