package ingest

import (
	"fmt"
	"testing"
)

// Every commit this package's tests make compares each lookup the batch
// answers from memory with the store's own answer (batchTx). A difference
// is a bug in batchTx: it panics, naming the lookup, in whichever test
// met it. Benchmarks measure without it.
func init() {
	checkLookups = func(what string, mem, db any) {
		if m, d := fmt.Sprintf("%+v", mem), fmt.Sprintf("%+v", db); m != d {
			panic(fmt.Sprintf("batch lookup %s: from memory %s, the store says %s", what, m, d))
		}
	}
}

// benchmarks turns the check off.
func noLookupCheck(b *testing.B) {
	saved := checkLookups
	checkLookups = nil
	b.Cleanup(func() { checkLookups = saved })
}
