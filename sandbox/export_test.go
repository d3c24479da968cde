package sandbox

import "golang.org/x/sys/unix"

// Leftovers is leftovers, for the external TestMain.
var Leftovers = leftovers

// Hold is hold, for the external TestMain.
var Hold = hold

// unixFcntl sets the descriptor flags of fd.
func unixFcntl(fd uintptr, flags int) (int, error) { return unix.FcntlInt(fd, unix.F_SETFD, flags) }

// ServeFUSE is serveFUSE, for the external TestMain.
var ServeFUSE = serveFUSE
