package ingest

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// runNiced runs work on a thread of its own at niceness workerNice and
// ends the thread after, so that it never runs anything else at that
// priority: the calling goroutine must return right after.
func runNiced(work func()) {
	runtime.LockOSThread()
	if unix.Gettid() == unix.Getpid() {
		// The process's main thread, which Go never ends. Keeping it
		// while the work runs makes the work start on another thread.
		defer runtime.UnlockOSThread()
		done := make(chan struct{})
		go func() {
			defer close(done)
			runNiced(work)
		}()
		<-done
		return
	}
	// Best effort: raising one's own niceness needs no privilege, and
	// work at the default priority is only slower.
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), workerNice)
	work()
	// Still locked: Go ends the thread when the goroutine returns.
}
