package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/search"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// parityQueries exercise every part of the query language on real mail of
// many writers and languages (../shared/corpora).
var parityQueries = []string{
	"the", "mail", "message", "test", "attachment", "hello", "subject",
	"mes*", "atta*", "t*",
	`"this is"`, `"test message"`, `"hello world"`,
	"test OR hello", "mail -test", "NOT message", "(mail OR message) test",
	"subject:test", "from:nathaniel", "to:bob", "body:attached", "from:example.com",
	"has:attachment", "has:attachment pdf", "after:2000-01-01", "before:2005-01-01 mail",
	"日本語", "テスト", "本語", "メール", "人権", "世界人権", "宣言", "管理", "送信", "中文", "한국어", "ภาษาไทย",
	`"世界人権" OR テスト`, "subject:テスト", "人*",
	"größe", "grosse", "café", "cafe", "Ünïcödé", "naïve",
	"bob@example.com", "example.com", "o'brien", "C++", "follow-up", "re:",
}

// TestSearchSameOnBothBackends imports the shared corpora into a SQLite
// and a PostgreSQL store, through the same pipeline, and runs the same
// queries on both: the same messages in the same order (newest first), and
// the same count. Relevance ranking is compared as a set, since SQLite
// ranks with its own BM25 and PostgreSQL with ts_rank weighed alike.
func TestSearchSameOnBothBackends(t *testing.T) {
	dir := archivetest.CorporaDir(t)
	var files []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && (strings.HasSuffix(p, ".eml") || strings.HasSuffix(p, ".msg") || strings.HasSuffix(p, ".txt")) {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 100 {
		t.Fatalf("%d files in %s", len(files), dir)
	}
	ctx := context.Background()
	stores := map[string]store.Store{}
	for _, kind := range []string{backend.SQLite, backend.Postgres} {
		db := storetest.OpenKind(t, kind, backend.Options{Synchronous: "NORMAL"})
		storetest.AddAcmeAndAnn(t, db)
		in := ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := in.Ingest(ctx, ingest.Delivery{Raw: raw, Origin: f}); err != nil && store.IsTemporary(err) {
				t.Fatalf("%s into %s: %v", f, kind, err)
			}
		}
		stores[kind] = db
	}
	opt := search.Options{Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Location: time.UTC}
	var n [2]int
	for i, kind := range []string{backend.SQLite, backend.Postgres} {
		err := stores[kind].View(ctx, func(tx store.Tx) error {
			var err error
			n[i], err = tx.CountMessages(store.MessageQuery{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n[0] == 0 || n[0] != n[1] {
		t.Fatalf("SQLite holds %d messages of the corpora, PostgreSQL %d", n[0], n[1])
	}
	for _, qs := range parityQueries {
		q, err := search.Parse(qs, opt)
		if err != nil {
			t.Errorf("%q: %v", qs, err)
			continue
		}
		got := map[string][]int64{}
		counts := map[string]int{}
		for kind, db := range stores {
			err := db.View(ctx, func(tx store.Tx) error {
				ms, err := tx.ListMessages(store.MessageQuery{Search: q})
				if err != nil {
					return err
				}
				for _, m := range ms {
					got[kind] = append(got[kind], m.ID)
				}
				counts[kind], err = tx.CountMessages(store.MessageQuery{Search: q})
				return err
			})
			if err != nil {
				t.Errorf("%q on %s: %v", qs, kind, err)
			}
		}
		if !reflect.DeepEqual(got[backend.SQLite], got[backend.Postgres]) || counts[backend.SQLite] != counts[backend.Postgres] {
			t.Errorf("%q: SQLite finds %d %v, PostgreSQL %d %v", qs, counts[backend.SQLite], got[backend.SQLite], counts[backend.Postgres], got[backend.Postgres])
		}
		t.Logf("%q: %d messages on both", qs, counts[backend.SQLite])
	}
}
