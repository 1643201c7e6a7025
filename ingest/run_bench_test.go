package ingest

// Benchmarks of the import stages on a slice of the reference corpus
// (.ci/bench-import generates it): SMARTBCC_BENCH_MBOX names the mbox,
// SMARTBCC_BENCH_N how many of its messages to use (default 2000). Each
// stage is reported next to its baseline, run in the same invocation:
//
//	BenchmarkPrepare  vs BenchmarkPrepareParseOnly (parse alone: the limit)
//	BenchmarkCommit   vs BenchmarkCommitRawSQLite  (raw bytes into a bare table)
//	BenchmarkRun      the whole pipeline, both cores, into a fresh store
//
// They run with `go test -run '^$' -bench . ./ingest`.

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/mailfile/benchcorpus"
	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// benchCorpus is the corpus slice the stages run on.
var benchCorpus = benchcorpus.Items

func benchItems(b *testing.B) ([]*mailfile.Item, int64) {
	b.Helper()
	items, err := benchCorpus()
	if err != nil {
		b.Fatal(err)
	}
	if len(items) == 0 {
		b.Skip("set SMARTBCC_BENCH_MBOX to an mbox (see .ci/bench-import)")
	}
	var total int64
	for _, it := range items {
		total += it.Size
	}
	return items, total
}

func reportRate(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// benchStore makes a store with a company and the import's owner, opened
// as `smartbcc ingest` opens it for an archive.
func benchStore(b *testing.B) (store.Store, *Ingester) {
	b.Helper()
	noLookupCheck(b)
	db, _ := storetest.Open(b, backend.Options{Synchronous: "NORMAL"})
	storetest.AddAcmeAndAnn(b, db)
	in := New(Options{Store: db, AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})
	return db, in
}

func delivery(it *mailfile.Item) Delivery {
	return Delivery{Raw: it.Raw, Origin: it.Origin, Size: it.Size, ReadErr: it.Err,
		Envelope: store.Envelope{Sender: it.EnvelopeFrom}}
}

// BenchmarkPrepare is Prepare (parse, noise, owner, forward unwrapping)
// on one core.
func BenchmarkPrepare(b *testing.B) {
	items, total := benchItems(b)
	_, in := benchStore(b)
	ctx := context.Background()
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, it := range items {
			if _, err := in.Prepare(ctx, delivery(it)); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportRate(b, len(items))
}

// BenchmarkPrepareParseOnly is the baseline of BenchmarkPrepare: parse
// alone, which Prepare cannot beat.
func BenchmarkPrepareParseOnly(b *testing.B) {
	items, total := benchItems(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, it := range items {
			if it.Err == nil {
				parse.Parse(it.Raw, parse.DefaultLimits)
			}
		}
	}
	reportRate(b, len(items))
}

// BenchmarkCommit stores prepared messages in batches as Run does, into a
// fresh store each round.
func BenchmarkCommit(b *testing.B) {
	items, total := benchItems(b)
	ctx := context.Background()
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		_, in := benchStore(b)
		var preps []*Prepared
		for _, it := range items {
			p, err := in.Prepare(ctx, delivery(it))
			if err != nil {
				b.Fatal(err)
			}
			preps = append(preps, p)
		}
		b.StartTimer()
		for _, batch := range batches(preps, defaultBatchSize, defaultBatchBytes) {
			if _, err := in.Commit(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportRate(b, len(items))
}

func batches(preps []*Prepared, size int, bytes int64) [][]*Prepared {
	var out [][]*Prepared
	var cur []*Prepared
	var n int64
	for _, p := range preps {
		cur = append(cur, p)
		n += p.d.Size
		if len(cur) >= size || n >= bytes {
			out = append(out, cur)
			cur, n = nil, 0
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// BenchmarkCommitRawSQLite is the baseline of BenchmarkCommit: each raw
// message as one blob row of a bare table, same batches, same pragmas.
func BenchmarkCommitRawSQLite(b *testing.B) {
	items, total := benchItems(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE TABLE raw (id INTEGER PRIMARY KEY, raw BLOB NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var tx *sql.Tx
		var n int
		var size int64
		for _, it := range items {
			if tx == nil {
				if tx, err = db.Begin(); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := tx.Exec(`INSERT INTO raw (raw) VALUES (?)`, it.Raw); err != nil {
				b.Fatal(err)
			}
			n++
			size += it.Size
			if n >= defaultBatchSize || size >= defaultBatchBytes {
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				tx, n, size = nil, 0, 0
			}
		}
		if tx != nil {
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	reportRate(b, len(items))
}

type sliceSource struct {
	items []*mailfile.Item
	i     int
}

func (s *sliceSource) Next() (*Delivery, error) {
	if s.i == len(s.items) {
		return nil, io.EOF
	}
	d := delivery(s.items[s.i])
	s.i++
	return &d, nil
}

// BenchmarkRun is the whole import pipeline into a fresh store.
func BenchmarkRun(b *testing.B) {
	items, total := benchItems(b)
	ctx := context.Background()
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		_, in := benchStore(b)
		b.StartTimer()
		// The corpus slice held in memory here is no part of a run's
		// memory: no heap limit.
		sum, err := in.Run(ctx, &sliceSource{items: items}, RunOptions{MemoryLimit: -1})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Total != len(items) {
			b.Fatalf("%d results for %d messages", sum.Total, len(items))
		}
	}
	reportRate(b, len(items))
}
