package sqlite

// #include <malloc.h>
import "C"

// SQLite copies each bound blob in C memory; with glibc's default dynamic
// mmap threshold, the freed copies of large messages stay in the heap and
// the process's resident size grows with the largest message seen. A fixed
// threshold of 256 KB gives such blocks back to the system at once, which
// keeps an archive import of large messages near its steady size.
//
// Fixing the mmap threshold also fixes glibc's trim threshold at its
// default of 128 KB: each time the top of the heap had that much free,
// free() gave it back to the kernel, and the next message's blob copy
// faulted fresh zeroed pages in again (with a TLB shootdown on every
// core). An import of the reference corpus (20,000 messages of 28 KB on
// average) took 190,000-215,000 minor page faults, half of them under
// SQLite's copies. Keeping up to 4 MB free at the top of the heap: 115,000
// faults, 1 to 2 CPU-seconds less (16.6-18.6 -> 15.4-17.0 s), the same
// peak resident size (91-97 MB before, 92-94 MB after).
//
// What stays free is kept per arena, and glibc gives each thread that
// calls malloc its own arena, up to 8 per core: the writer's goroutine
// moves between threads, and beside a loaded machine's other work one
// import peaked at 115 MB. Two arenas (the writer's statements and the
// background checkpointer are the only busy C allocators) bound that:
// 89-90 MB against 94-95 MB with the default, the same CPU time.
func init() {
	C.mallopt(C.M_MMAP_THRESHOLD, 256<<10)
	C.mallopt(C.M_TRIM_THRESHOLD, 4<<20)
	C.mallopt(C.M_ARENA_MAX, 2)
}
