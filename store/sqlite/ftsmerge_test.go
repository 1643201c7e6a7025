package sqlite

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

// levelZero is the number of segments at the full-text index's lowest
// level.
func levelZero(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.writer.QueryRow(`SELECT count(*) FROM message_fts_segdir WHERE level = 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// With FTSMerge (the delivery server's store), every transaction that adds
// to the full-text index also merges a little of it: the lowest level
// never fills up to the 16 segments at which FTS4 would merge them all
// inside one commit, and every message is still found, by a word of its
// own and by a word they all share, before and after deletes.
func TestFTSMergeKeepsIndexSoundAndSmall(t *testing.T) {
	for _, merge := range []bool{false, true} {
		t.Run(fmt.Sprintf("FTSMerge=%v", merge), func(t *testing.T) {
			db := openTestAt(t, filepath.Join(t.TempDir(), "s.db"), Options{FTSMerge: merge})
			owner, thread := seedAnnIDs(t, db)
			var ids []int64
			most := 0
			for g := 0; g < 150; g++ {
				update(t, db, func(tx store.Tx) error {
					for i := 0; i < 2; i++ {
						n := len(ids)
						m := message(owner, thread, fmt.Sprintf("%d@x", n), "Quote")
						m.TextBody = fmt.Sprintf("widgets word%d and some filler text number %d", n, n%7)
						if err := tx.InsertMessage(m); err != nil {
							return err
						}
						ids = append(ids, m.ID)
					}
					return nil
				})
				most = max(most, levelZero(t, db))
			}
			if merge && most > 9 {
				t.Errorf("level 0 of the index held %d segments after a commit; want at most 9 (merged from 8 on)", most)
			}
			if !merge && most < 15 {
				t.Errorf("without FTSMerge level 0 held at most %d segments: the test no longer shows FTS4's own merging", most)
			}
			deleted := map[int64]bool{}
			for i := 0; i < len(ids); i += 17 {
				if _, err := db.writer.Exec(`DELETE FROM messages WHERE id = ?`, ids[i]); err != nil {
					t.Fatal(err)
				}
				deleted[ids[i]] = true
			}
			var live []int64
			for _, id := range ids {
				if !deleted[id] {
					live = append(live, id)
				}
			}
			view(t, db, func(tx store.Tx) error {
				got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("widgets"), Limit: 1000})
				if err != nil {
					return err
				}
				if len(got) != len(live) {
					t.Errorf("widgets found %d messages, want %d", len(got), len(live))
				}
				for n, id := range ids {
					got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse(fmt.Sprintf("word%d", n))})
					if err != nil {
						return err
					}
					want := []int64{id}
					if deleted[id] {
						want = []int64{}
					}
					if !reflect.DeepEqual(msgIDs(got), want) {
						t.Fatalf("word%d found %v, want %v", n, msgIDs(got), want)
					}
				}
				return nil
			})
			if _, err := db.writer.Exec(`INSERT INTO message_fts (message_fts) VALUES ('integrity-check')`); err != nil {
				t.Errorf("FTS integrity-check: %v", err)
			}
		})
	}
}
