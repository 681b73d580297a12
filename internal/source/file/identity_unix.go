//go:build unix

package file

import (
	"fmt"
	"os"
	"syscall"
)

// identity returns the device and inode of a file.
func identity(fi os.FileInfo) (fileKey, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, fmt.Errorf("stat %s: no inode information", fi.Name())
	}
	return fileKey{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, nil //nolint:unconvert // widths differ by platform
}
