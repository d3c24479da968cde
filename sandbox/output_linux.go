package sandbox

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// outputPipe makes a pipe for a program's output: the read end the
// harness's, non-blocking and, until something has to wait on it, outside
// Go's poller (see outputEnd); the write end the program's, blocking and
// outside the poller (nothing of the harness waits on it, and registering
// it is a system call each way).
func outputPipe() (r *outputEnd, w *os.File, err error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	// A new pipe's read end has no other flag to keep (unix.SetNonblock
	// would ask for them first).
	if _, err := unix.FcntlInt(uintptr(fds[0]), unix.F_SETFL, unix.O_NONBLOCK); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, os.NewSyscallError("fcntl", err)
	}
	return &outputEnd{fd: fds[0]}, os.NewFile(uintptr(fds[1]), "|1"), nil
}

// readNow reads what non-blocking fd has, or says errWait when it would
// have to wait.
func readNow(fd int, p []byte) (int, error) {
	for {
		n, err := unix.Read(fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, errWait
		case err != nil:
			return 0, &os.PathError{Op: "read", Path: "|0", Err: err}
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func closeFD(fd int) error { return unix.Close(fd) }
