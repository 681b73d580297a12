//go:build !unix

package file

import (
	"errors"
	"os"
)

// identity needs inode numbers, which only Unix systems give through
// os.FileInfo; the file source runs on Unix systems only.
func identity(os.FileInfo) (fileKey, error) {
	return fileKey{}, errors.New("the file source needs a Unix system (inode numbers)")
}
