package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

// testSavepoints: Within (store.Savepointer, what an archive import keeps
// one transaction open with) undoes what its function did when the
// function fails: rows, full-text entries and, in an import's store, the
// raw mail appended to packs. The transaction goes on and commits the
// rest. A savepoint inside another undoes only its own part, and a
// statement the database refused inside a savepoint does not break the
// transaction around it.
func (s suite) testSavepoints(t *testing.T) {
	for _, packs := range []bool{false, true} {
		t.Run(fmt.Sprintf("RawPacks=%v", packs), func(t *testing.T) {
			f := s.newFixtureWith(t, backend.Options{RawPacks: packs})
			db, owner, th := f.db, f.ann.ID, f.thread
			var lost store.Thread
			msg := func(id, subject string) *store.Message {
				m := message(owner, th.ID, id, subject)
				m.Raw = append(m.Raw, []byte(id+" "+subject+"\r\n")...)
				return m
			}
			boom := errors.New("boom")
			update(t, db, func(tx store.Tx) error {
				sp, ok := tx.(store.Savepointer)
				if !ok {
					t.Fatalf("the %s store's transactions have no savepoints", s.b.Name)
				}
				if err := sp.Within(func() error { return tx.InsertMessage(msg("keep1@x", "alpha")) }); err != nil {
					t.Errorf("Within of a good insert: %v", err)
				}
				lost = store.Thread{Subject: "lost"} // PostgreSQL sends it later (pending.go)
				err := sp.Within(func() error {
					if err := tx.InsertMessage(msg("undo1@x", "bravo")); err != nil {
						return err
					}
					if err := tx.CreateThread(&lost); err != nil {
						return err
					}
					return boom
				})
				if !errors.Is(err, boom) {
					t.Errorf("Within returned %v, want the function's error", err)
				}
				// The same duplicate key as keep1: the database refuses it.
				err = sp.Within(func() error { return tx.InsertMessage(msg("keep1@x", "charlie")) })
				wantCode(t, "a duplicate inside a savepoint", err, store.EConflict)
				err = sp.Within(func() error {
					if err := tx.InsertMessage(msg("keep2@x", "delta")); err != nil {
						return err
					}
					inner := sp.Within(func() error {
						if err := tx.InsertMessage(msg("undo2@x", "echo")); err != nil {
							return err
						}
						return boom
					})
					if !errors.Is(inner, boom) {
						t.Errorf("inner Within returned %v, want the function's error", inner)
					}
					return nil
				})
				if err != nil {
					t.Errorf("outer Within: %v", err)
				}
				return tx.InsertMessage(msg("keep3@x", "foxtrot"))
			})

			view(t, db, func(tx store.Tx) error {
				_, err := tx.Thread(lost.ID)
				wantCode(t, "a thread created in a savepoint rolled back", err, store.ENotFound)
				all, err := tx.ListMessages(store.MessageQuery{Owner: owner, Oldest: true})
				if err != nil {
					return err
				}
				var got []string
				for _, m := range all {
					got = append(got, m.MessageID)
					raw, err := tx.MessageRaw(m.ID)
					if err != nil {
						t.Errorf("raw of %s: %v", m.MessageID, err)
					} else if want := msg(m.MessageID, m.Subject).Raw; string(raw) != string(want) {
						t.Errorf("raw of %s = %q, want %q", m.MessageID, raw, want)
					}
				}
				if want := []string{"keep1@x", "keep2@x", "keep3@x"}; !slices.Equal(got, want) {
					t.Errorf("stored %v, want %v", got, want)
				}
				for _, tc := range []struct {
					q    string
					want int
				}{{"alpha", 1}, {"bravo", 0}, {"charlie", 0}, {"delta", 1}, {"echo", 0}, {"foxtrot", 1}} {
					hits, err := tx.ListMessages(store.MessageQuery{Search: parse(t, tc.q)})
					if err != nil {
						return err
					}
					if len(hits) != tc.want {
						t.Errorf("search %q: %d messages, want %d", tc.q, len(hits), tc.want)
					}
				}
				return nil
			})
			if err := db.(store.Checker).Check(ctxb); err != nil {
				t.Errorf("check after savepoints rolled back: %v", err)
			}
		})
	}
}
