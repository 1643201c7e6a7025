package sqlite

import "syscall"

// setUmask sets the process umask and returns the old one, so that the
// file-mode test shows that modes do not depend on it.
func setUmask(mask int) int { return syscall.Umask(mask) }
