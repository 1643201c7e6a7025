package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// BenchmarkImportBackends imports the corpus slice (SMARTBCC_BENCH_MBOX,
// SMARTBCC_BENCH_N) through the whole pipeline, as `smartbcc ingest FILE`
// does, into a fresh SQLite store and a fresh PostgreSQL store in each
// round (PostgreSQL from SMARTBCC_TEST_POSTGRES or a private cluster), and
// reports both rates and their ratio, measured in the same run:
//
//	go test -run '^$' -bench ImportBackends -benchtime 3x ./ingest
//
// sqlite-msg/s and postgres-msg/s are messages per second; postgres/sqlite
// is the second divided by the first (the goal is at least 0.5).
func BenchmarkImportBackends(b *testing.B) {
	items, total := benchItems(b)
	noLookupCheck(b)
	ctx := context.Background()
	b.SetBytes(total)
	var spent [2]time.Duration
	kinds := []string{backend.SQLite, backend.Postgres}
	for b.Loop() {
		for i, kind := range kinds {
			b.StopTimer()
			db := storetest.OpenKind(b, kind, backend.Options{Synchronous: "NORMAL"})
			storetest.AddAcmeAndAnn(b, db)
			in := New(Options{Store: db, AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})
			b.StartTimer()
			start := time.Now()
			sum, err := in.Run(ctx, &sliceSource{items: items}, RunOptions{MemoryLimit: -1})
			spent[i] += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if sum.Total != len(items) {
				b.Fatalf("%s: %d results for %d messages", kind, sum.Total, len(items))
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	}
	rate := func(d time.Duration) float64 { return float64(len(items)) * float64(b.N) / d.Seconds() }
	b.ReportMetric(rate(spent[0]), "sqlite-msg/s")
	b.ReportMetric(rate(spent[1]), "postgres-msg/s")
	b.ReportMetric(rate(spent[1])/rate(spent[0]), "postgres/sqlite")
}
