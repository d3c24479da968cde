package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// RemoveLeftovers removes the cgroups that the judgebench process pid left
// behind when it died before closing its Sandbox (a worker killed with
// SIGKILL, say): every task in them is killed first. It looks where pid's
// cgroups would be, beside this process's own (on cgroup v2, beside the leaf
// this process moved into too), so pid must have been its child or shared its
// cgroups.
func RemoveLeftovers(pid int) error {
	mounts, own, err := hierarchies()
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	var errs []error
	for _, m := range mounts {
		cg, ok := own[""]
		if m.FSType == "cgroup" {
			i := slices.IndexFunc(m.Options, func(o string) bool { _, ok := own[o]; return ok && o != "rw" })
			if i < 0 {
				continue
			}
			cg, ok = own[m.Options[i]], true
		}
		if !ok {
			continue
		}
		dirs := []string{m.Path(cg)}
		if up := DelegatedCgroup(dirs[0]); m.FSType == "cgroup2" && up != dirs[0] {
			dirs = append(dirs, up)
		}
		for _, dir := range dirs {
			roots, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("judgebench-%d-*", pid)))
			for _, root := range roots {
				errs = append(errs, removeTree(root))
			}
		}
	}
	return errors.Join(errs...)
}

// removeTree kills the tasks of a cgroup directory and its children and
// removes them, deepest first.
func removeTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			errs = append(errs, removeTree(filepath.Join(dir, e.Name())))
		}
	}
	errs = append(errs, killProcs(dir, time.Now().Add(time.Second)), removeDir(dir))
	return errors.Join(errs...)
}
