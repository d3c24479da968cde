package sandbox

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// boxRun runs script in a box of h as uid, the way the namespaces level
// starts a program, without the rest of a run.
func boxRun(t *testing.T, h *holder, uid int, script string) (string, unix.WaitStatus) {
	t.Helper()
	if err := h.prepare(uid, uid, 8*MiB); err != nil {
		t.Fatal(err)
	}
	r, w, _ := os.Pipe()
	rep, repw, _ := os.Pipe()
	null, _ := os.Open(os.DevNull)
	defer null.Close()
	var pid int
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if err = noNewPrivs(); err != nil {
			return
		}
		if err = h.enter(); err != nil {
			return
		}
		pid, _, err = syscall.StartProcess(boxLauncher, launcherArgs(nil, "/bin/sh", []string{"sh", "-c", script}), &syscall.ProcAttr{
			Dir: boxWork, Env: []string{"PATH=/usr/bin:/bin"}, Files: []uintptr{null.Fd(), w.Fd(), w.Fd(), repw.Fd()},
			Sys: &syscall.SysProcAttr{Setsid: true,
				Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: []uint32{}}},
		})
		if lerr := leave(); err == nil {
			err = lerr
		}
	}()
	<-done
	w.Close()
	repw.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	read := make(chan struct{})
	go func() { out.ReadFrom(r); close(read) }()
	var ws unix.WaitStatus
	if _, err := wait4(pid, &ws, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.kill(); err != nil {
		t.Fatal(err)
	}
	<-read
	var rb bytes.Buffer
	rb.ReadFrom(rep)
	if rb.Len() > 0 {
		t.Fatalf("launcher: %s", rb.String())
	}
	return out.String(), ws
}

func TestHolderBox(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	h, err := startHolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := h.close(); err != nil {
			t.Error(err)
		}
	}()
	out, ws := boxRun(t, h, 63000, `id; echo pid $$; ls /; hostname; ls /proc | tr '\n' ' '; echo; cat /etc/shadow; touch /x; touch /tmp/y /box/z && ls /box; unshare -U true && echo UNSHARED; cat /proc/net/dev | grep -c :; (sleep 100 &) ; echo end`)
	t.Logf("%s %v", out, ws)
	start := time.Now()
	for range 20 {
		boxRun(t, h, 63001, "true")
	}
	t.Logf("%v per run", time.Since(start)/20)
	for _, want := range []string{"uid=63000", "judgebench", "No such file", "Read-only file system", "\nz\n", "end"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q", want)
		}
	}
	if strings.Contains(out, "UNSHARED") {
		t.Error("unshare worked")
	}
}
