//go:build !linux

package ingest

// runNiced runs work: threads have no priority of their own here that an
// unprivileged process may lower.
func runNiced(work func()) { work() }
