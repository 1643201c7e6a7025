package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/smartbcc/smartbcc/store"
)

var _ store.Savepointer = (*Tx)(nil)

// Within runs fn in a savepoint (store.Savepointer). The inserts fn queued
// (see pending.go) are sent before the savepoint is released, so that
// their failure is fn's; on failure the ones not sent are dropped, and
// ROLLBACK TO clears the aborted state PostgreSQL put the transaction in.
func (tx *Tx) Within(fn func() error) error {
	// One name for all: savepoints nest, and ROLLBACK TO and RELEASE name
	// the innermost one of that name.
	if _, err := tx.exec("SAVEPOINT within"); err != nil {
		return err
	}
	err := fn()
	if err == nil {
		err = tx.flush()
	}
	if err == nil && tx.broken != nil {
		err = tx.broken // fn went on after a failed statement
	}
	if err == nil {
		_, err := tx.exec("RELEASE SAVEPOINT within")
		return err
	}
	tx.pending = pgx.Batch{}
	tx.broken = nil
	for _, q := range []string{"ROLLBACK TO SAVEPOINT within", "RELEASE SAVEPOINT within"} {
		if _, rerr := tx.tx.Exec(tx.ctx, q); rerr != nil {
			// The transaction cannot be trusted any further.
			tx.fail(rerr)
			break
		}
	}
	return err
}
