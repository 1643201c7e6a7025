package sqlite

import (
	"maps"

	"github.com/smartbcc/smartbcc/store"
)

var _ store.Savepointer = (*Tx)(nil)

// Within runs fn in a savepoint (store.Savepointer). What the transaction
// keeps beside SQLite is put back as well on failure: the full-text
// entries still waiting for indexPending, the raw mail appended to packs
// (cut back, as undoPacks does for the whole transaction), and the error
// that broke the transaction, which ROLLBACK TO clears.
//
// FTS4 writes out its pending terms when a savepoint opens and drops them
// all on ROLLBACK TO (fts3SavepointMethod, fts3RollbackToMethod), so what
// it holds in memory never mixes rows from both sides of a savepoint.
// The entries of indexPending are different: they are SQL not yet run.
// If fn flushed them (a DELETE inside fn does), the flush is undone with
// fn, so the entries from before the savepoint are pending again.
func (tx *Tx) Within(fn func() error) error {
	if tx.broken != nil {
		return tx.broken
	}
	// One name for all: savepoints nest, and ROLLBACK TO and RELEASE
	// name the innermost one of that name.
	if _, err := tx.exec("SAVEPOINT within"); err != nil {
		return err
	}
	pending := tx.pendingIndex
	pack := tx.pack
	from := maps.Clone(tx.pack.from)
	err := fn()
	if err == nil && tx.broken != nil {
		err = tx.broken // fn went on after a failed statement
	}
	if err == nil {
		if _, err := tx.exec("RELEASE within"); err != nil {
			return err
		}
		// The caller may drop the raw mail of what fn stored once Within
		// returns (an import releases it to its memory budget): the
		// appender must not hold it any longer.
		return tx.flushAppends()
	}
	tx.broken = nil
	if _, rerr := tx.tx.ExecContext(tx.ctx, "ROLLBACK TO within; RELEASE within"); rerr != nil {
		// The transaction cannot be trusted any further.
		tx.fail(rerr)
		return err
	}
	tx.counted = nil
	tx.pendingIndex = pending
	tx.undoPacksTo(pack, from)
	return err
}
