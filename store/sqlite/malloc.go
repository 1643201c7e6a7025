package sqlite

// #include <malloc.h>
import "C"

// SQLite copies each bound blob in C memory; with glibc's default dynamic
// mmap threshold, the freed copies of large messages stay in the heap and
// the process's resident size grows with the largest message seen. A fixed
// threshold of 256 KB gives such blocks back to the system at once, which
// keeps an archive import of large messages near its steady size.
func init() {
	C.mallopt(C.M_MMAP_THRESHOLD, 256<<10)
}
