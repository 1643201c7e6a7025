// Package benchcorpus reads the slice of the reference corpus (see
// .ci/bench-import) that the stage benchmarks and the differential tests
// of ingest, ingest/parse and store/search run on: the first
// SMARTBCC_BENCH_N (default 2000) messages of the mbox SMARTBCC_BENCH_MBOX.
// For tests only.
package benchcorpus

import (
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
)

// Items returns the slice, read once per process: nil when
// SMARTBCC_BENCH_MBOX is not set.
var Items = sync.OnceValues(func() ([]*mailfile.Item, error) {
	path := os.Getenv("SMARTBCC_BENCH_MBOX")
	if path == "" {
		return nil, nil
	}
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("SMARTBCC_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	r, err := mailfile.Open(path, mailfile.Options{Format: mailfile.FormatMbox})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var items []*mailfile.Item
	for len(items) < n {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
})
