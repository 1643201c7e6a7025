//go:build !linux

package sqlite

import (
	"errors"
	"os"
)

// errNoHoles: the file system cannot punch holes; erase writes zeros.
var errNoHoles = errors.New("punching holes not supported")

func syncData(f *os.File) error { return f.Sync() }

// punchHole: only Linux's fallocate is used; elsewhere erase writes zeros.
func punchHole(f *os.File, off, n int64) error { return errNoHoles }

// startWriteback: nothing to do; the fsync before COMMIT writes it all.
func startWriteback(f *os.File, off, n int64) error { return nil }
