package commands

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRead20k: the reading commands a salesperson runs, in process
// (store opened and closed per command, as a process would, without
// process start), on a store of the 20,000-message reference corpus.
// Issue 14's target is under 50 ms each:
//
//	inbox        the first page of her inbox (100 messages, newest first)
//	search       a common word ("the": about 12,500 of the 20,000
//	             messages), best 100 first, with the count of all hits
//	thread       the largest thread
//	show         the newest message with headers and body
//
// and, for scale, inbox-all: the whole 20,000-row listing.
//
// The store: SMARTBCC_BENCH_STORE names one made by an import (.ci/bench-import
// keeps the list-free corpus's), else SMARTBCC_BENCH_MBOX is imported
// whole into a temporary store first; without either it is skipped.
// SMARTBCC_BENCH_WORD changes the word searched.
//
//	SMARTBCC_BENCH_STORE=/tmp/b/nolist.db go test -run '^$' -bench Read20k ./commands/
func BenchmarkRead20k(b *testing.B) {
	db := os.Getenv("SMARTBCC_BENCH_STORE")
	if db == "" {
		mbox := os.Getenv("SMARTBCC_BENCH_MBOX")
		if mbox == "" {
			b.Skip("set SMARTBCC_BENCH_STORE to a store, or SMARTBCC_BENCH_MBOX to the corpus (see .ci/bench-import)")
		}
		db = filepath.Join(b.TempDir(), "read.db")
		benchRun(b, db, "init", "--company", "Acme", "--domain", "bcc.acme.example")
		benchRun(b, db, "user", "add", "ann@acme.example", "--name", "Ann Seller")
		benchRun(b, db, "ingest", "-q", "--user", "ann@acme.example", "--auth", "off", mbox)
	}
	word := os.Getenv("SMARTBCC_BENCH_WORD")
	if word == "" {
		word = "the"
	}
	newest, thread, size := benchPicks(b, db)
	as := []string{"--as", "ann@acme.example"}
	cases := []struct {
		name string
		args []string
	}{
		{"inbox", []string{"inbox", "--limit", "100"}},
		{"search", []string{"search", word}},
		{"thread", []string{"thread", strconv.FormatInt(thread, 10)}},
		{"show", []string{"show", strconv.FormatInt(newest, 10)}},
		{"inbox-all", []string{"inbox"}},
	}
	b.Logf("store %s: thread %d has %d messages; newest message %d", db, thread, size, newest)
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			args := append(append([]string{}, as...), tc.args...)
			benchRun(b, db, args...) // warm: the first command may migrate the store
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				benchRun(b, db, args...)
				total += time.Since(start)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/cmd")
		})
	}
}

// benchPicks finds the newest message and the largest thread of a store.
func benchPicks(b *testing.B, db string) (newest, thread int64, size int) {
	b.Helper()
	var entries []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(benchRun(b, db, "--json", "inbox", "--limit", "1")), &entries); err != nil || len(entries) != 1 {
		b.Fatalf("newest message: %v (%d entries)", err, len(entries))
	}
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	err = conn.QueryRow(`SELECT thread_id, count(*) FROM messages GROUP BY thread_id ORDER BY 2 DESC, 1 LIMIT 1`).Scan(&thread, &size)
	if err != nil {
		b.Fatal(err)
	}
	return entries[0].ID, thread, size
}
