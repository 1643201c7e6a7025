package sqlite

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// errNoHoles: the file system cannot punch holes; erase writes zeros.
var errNoHoles = errors.New("punching holes not supported")

// syncData is fdatasync: the pack's bytes and length, not its times.
func syncData(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

// punchHole frees the n bytes at off, which then read as zeros, keeping
// the file's size.
func punchHole(f *os.File, off, n int64) error {
	err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return errNoHoles
	}
	return err
}

// startWriteback starts writing the n bytes at off to the disk, without
// waiting for them.
func startWriteback(f *os.File, off, n int64) error {
	return unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
