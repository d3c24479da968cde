//go:build !linux

package sandbox

import (
	"io/fs"
	"os"
)

// OpenInput opens the file at path for a case to read, after CheckInput.
func OpenInput(path string) (*os.File, error) {
	if err := CheckInput(path); err != nil {
		return nil, err
	}
	return os.Open(path)
}

func isNullDevice(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}
