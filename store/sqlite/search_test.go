package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

func msgIDs(msgs []store.Message) []int64 {
	out := []int64{}
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

// A deleted message leaves the index with it, and the index stays sound,
// also for the sqlite3 shell's PRAGMA integrity_check (no function of ours
// is needed to check it).
func TestSearchAfterDelete(t *testing.T) {
	db := openTest(t)
	var ids []int64
	update(t, db, func(tx store.Tx) error {
		u, th, err := seedAnn(tx)
		if err != nil {
			return err
		}
		for i, body := range []string{"the price list of widgets", "the widget price went up", "widgets margin"} {
			m := message(u.ID, th.ID, fmt.Sprintf("%d@x", i), "Note")
			m.TextBody = body
			m.Date = testTime.AddDate(0, 0, -i)
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	w, g, d := ids[0], ids[1], ids[2]
	if _, err := db.writer.Exec(`DELETE FROM messages WHERE id = ?`, w); err != nil {
		t.Fatal(err)
	}
	view(t, db, func(tx store.Tx) error {
		for q, want := range map[string][]int64{"widgets": {d}, `"price list"`: {}, "price": {g}} {
			got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse(q)})
			if err != nil || !reflect.DeepEqual(msgIDs(got), want) {
				t.Errorf("after delete, %q = %v, %v; want %v", q, msgIDs(got), err, want)
			}
		}
		return nil
	})
	f := struct{ db *DB }{db}
	if _, err := f.db.writer.Exec(`INSERT INTO message_fts (message_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("FTS integrity-check after delete: %v", err)
	}
	plain, err := sql.Open("sqlite3", f.db.path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	var check string
	if err := plain.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check on a plain connection: %s %v", check, err)
	}
}

// A store made by a build with the sqlite_fts5 tag had an FTS5 index: a
// build without FTS5 replaces it with the FTS4 one and indexes the mail.
func TestUpgradeFromFTS5(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fts5.db")
	// Stores with FTS5 had migrations 0001 to 0003; the later ones run on
	// them with the FTS5 table still there.
	old, err := openWithMigrations(ctx, path, Options{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	var msgID int64
	update(t, old, func(tx store.Tx) error {
		u, th, err := seedAnn(tx)
		if err != nil {
			return err
		}
		m := message(u.ID, th.ID, "old@x", "お見積りの件")
		m.TextBody = "the zanzibar shipment"
		err = tx.InsertMessage(m)
		msgID = m.ID
		return err
	})
	old.Close()
	// What migration 0002 left in a store of a build with FTS5: the
	// virtual table's schema entry, its shadow tables and the trigger.
	conn, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE message_fts_data (id INTEGER PRIMARY KEY, block BLOB)`,
		`CREATE TABLE message_fts_idx (segid, term, pgno, PRIMARY KEY (segid, term)) WITHOUT ROWID`,
		`CREATE TABLE message_fts_docsize (id INTEGER PRIMARY KEY, sz BLOB, origin INTEGER)`,
		`CREATE TABLE message_fts_config (k PRIMARY KEY, v) WITHOUT ROWID`,
		`PRAGMA writable_schema = ON`,
		`INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'message_fts', 'message_fts', 0,
			'CREATE VIRTUAL TABLE message_fts USING fts5 (subject, participants, body, content = '''', contentless_delete = 1, tokenize = ''unicode61 remove_diacritics 2'')')`,
		`PRAGMA writable_schema = OFF`,
	} {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	conn.Close()
	conn, _ = sql.Open("sqlite3", path)
	if _, err := conn.Exec(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN DELETE FROM message_fts WHERE rowid = old.id; END`); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	db := openTestAt(t, path, Options{})
	view(t, db, func(tx store.Tx) error {
		for _, q := range []string{"zanzibar", "見積"} {
			got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse(q)})
			if err != nil || !reflect.DeepEqual(msgIDs(got), []int64{msgID}) {
				t.Errorf("search %q after the upgrade = %v, %v (%v); want [%d]", q, msgIDs(got), err, errors.Unwrap(err), msgID)
			}
		}
		return nil
	})
	var leftovers int
	if err := db.reader.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name LIKE 'message_fts_%' AND name NOT IN
		('message_fts_content', 'message_fts_segments', 'message_fts_segdir', 'message_fts_docsize', 'message_fts_stat')`).Scan(&leftovers); err != nil || leftovers != 0 {
		t.Errorf("FTS5 leftovers: %d, %v", leftovers, err)
	}
	var check string
	if err := db.reader.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %s %v", check, err)
	}
	// Deleting still works (the new trigger).
	if _, err := db.writer.Exec(`DELETE FROM messages WHERE id = ?`, msgID); err != nil {
		t.Errorf("delete after the upgrade: %v", err)
	}
}

func TestRankingExprCoversPositiveText(t *testing.T) {
	for q, want := range map[string]string{
		"a OR deal:1":          `"a"`,
		`subject:"a b" -c`:     `"a b"`,
		"-(a OR -b) OR deal:3": `"b"`,
	} {
		if got := rankingExpr(search.MustParse(q).Root); got != want {
			t.Errorf("rankingExpr(%q) = %s, want %s", q, got, want)
		}
	}
}

// BenchmarkSearchCommonWord: a word every message holds, in a store of
// 20,000 messages, best 100 first and counted (issue 14's reading target:
// under 50 ms). sort=date is the same search newest first, for a ratio.
func BenchmarkSearchCommonWord(b *testing.B) {
	db := openTest(b)
	const n = 20000
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
	var owner int64
	update(b, db, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		owner = u.ID
		return tx.CreateThread(&store.Thread{Subject: "x"})
	})
	for start := 0; start < n; start += 1000 {
		update(b, db, func(tx store.Tx) error {
			for i := start; i < start+1000; i++ {
				m := message(owner, 1, fmt.Sprintf("m%d@x", i), "Status report "+words[i%len(words)])
				m.TextBody = fmt.Sprintf("Hello Bob, the widgets order %d is on its way; %s %s and more text to make a body of ordinary length.", i, words[i%3], words[i%7])
				m.Date = testTime.Add(time.Duration(i) * time.Minute)
				m.Shared = i%2 == 0
				if err := tx.InsertMessage(m); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, tc := range []struct {
		name string
		sort store.Sort
	}{{"relevance", store.SortRelevance}, {"date", store.SortNewest}} {
		b.Run("sort="+tc.name, func(b *testing.B) {
			q := store.MessageQuery{Search: search.MustParse("widgets"), Limit: 100, Sort: tc.sort, Viewer: owner}
			for b.Loop() {
				view(b, db, func(tx store.Tx) error {
					got, err := tx.ListMessages(q)
					if err != nil || len(got) != 100 {
						b.Fatalf("%d results, %v", len(got), err)
					}
					_, err = tx.CountMessages(q)
					return err
				})
			}
		})
	}
}

// TestBM25Order: BM25 over the columns puts a word said often in a short
// body first, then the word in a subject, then once in a long body.
func TestBM25Order(t *testing.T) {
	db := openTest(t)
	var ids []int64
	update(t, db, func(tx store.Tx) error {
		u, th, err := seedAnn(tx)
		if err != nil {
			return err
		}
		for i, mb := range [][2]string{
			{"Invoice 42", "see attached"},
			{"Hello", "invoice invoice invoice, about the invoice"},
			{"Hello", "the invoice is somewhere in this long text about many other things, such as weather, holidays, lunch and the state of the roads in spring"},
			{"Lunch", "no match here"},
		} {
			m := message(u.ID, th.ID, fmt.Sprintf("%d@x", i), mb[0])
			m.TextBody = mb[1]
			m.Date = testTime.AddDate(0, 0, i)
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	view(t, db, func(tx store.Tx) error {
		got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("invoice"), Sort: store.SortRelevance})
		if want := []int64{ids[1], ids[0], ids[2]}; err != nil || !reflect.DeepEqual(msgIDs(got), want) {
			t.Errorf("ranked = %v, %v; want %v", msgIDs(got), err, want)
		}
		return nil
	})
}

// TestListingsReadNarrowIndex: the count of an inbox and the join of a
// search to its hits read messages_visible, never the rows with their
// bodies (a common word's hits in a 20,000-message store: 200 ms by the
// rows, a few ms by the index).
func TestListingsReadNarrowIndex(t *testing.T) {
	db := openTest(t)
	for _, tc := range []struct {
		name string
		q    store.MessageQuery
	}{
		{"inbox count", store.MessageQuery{Viewer: 1}},
		{"search", store.MessageQuery{Viewer: 1, Search: search.MustParse("widgets")}},
		{"search by date", store.MessageQuery{Viewer: 1, Search: search.MustParse("widgets"), Sort: store.SortNewest}},
	} {
		view(t, db, func(st store.Tx) error {
			tx := st.(*Tx)
			lq, err := tx.listParts(tc.q)
			if err != nil {
				return err
			}
			rows, err := tx.query(`EXPLAIN QUERY PLAN SELECT count(*) FROM `+lq.from+lq.whereClause(), lq.args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			joined := strings.Join(plan, "; ")
			if !strings.Contains(joined, "COVERING INDEX messages_visible") {
				t.Errorf("%s: plan %q does not read messages through messages_visible", tc.name, joined)
			}
			return rows.Err()
		})
	}
}

// TestCountAfterRankedSearch: the count that follows a page of ranked
// results is taken from that search's pass over its hits, and a write in
// the same transaction makes it count again.
func TestCountAfterRankedSearch(t *testing.T) {
	db := openTest(t)
	var owner int64
	update(t, db, func(tx store.Tx) error {
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		owner = u.ID
		return tx.CreateThread(&store.Thread{Subject: "x"})
	})
	q := store.MessageQuery{Search: search.MustParse("widgets"), Sort: store.SortRelevance, Limit: 2, Viewer: owner}
	update(t, db, func(tx store.Tx) error {
		for i := 0; i < 5; i++ {
			m := message(owner, 1, fmt.Sprintf("w%d@x", i), "widgets "+fmt.Sprint(i))
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
		}
		for want := 5; want <= 6; want++ {
			page, err := tx.ListMessages(q)
			if err != nil || len(page) != 2 {
				t.Fatalf("page: %d messages, %v", len(page), err)
			}
			if n, err := tx.CountMessages(q); err != nil || n != want {
				t.Errorf("count after the page: %d, %v; want %d", n, err, want)
			}
			if err := tx.InsertMessage(message(owner, 1, fmt.Sprintf("w%d@x", want), "more widgets")); err != nil {
				return err
			}
			if n, err := tx.CountMessages(q); err != nil || n != want+1 {
				t.Errorf("count after an insert: %d, %v; want %d", n, err, want+1)
			}
		}
		return nil
	})
	view(t, db, func(tx store.Tx) error {
		if _, err := tx.ListMessages(q); err != nil {
			return err
		}
		counted := tx.(*Tx).counted
		if n, err := tx.CountMessages(q); err != nil || n != 7 || len(counted) != 1 {
			t.Errorf("count in a read transaction: %d, %v (%d remembered); want 7 from the page's pass", n, err, len(counted))
		}
		return nil
	})
}
