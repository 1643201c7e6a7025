package postgres

import (
	"github.com/jackc/pgx/v5"
)

// Fewer round trips for a batch's writes. Most of what an import writes
// is inserted and never read back in the same transaction but for the id
// it gets: a refused mail's rejection, a message's new thread. Waiting for
// each of those inserts was one round trip per row, and under load a round
// trip is mostly waiting for the scheduler to run the server and then us.
// Instead such a row takes an id drawn ahead from its table's identity
// (newID: one statement per many ids), is queued in Tx.pending, and goes
// to the server in the round trip of the next statement (a message's
// insert batch, a lookup, the commit). Nothing else changes: the same rows
// in the same transaction, committed or rolled back together; an error of
// a queued insert breaks the transaction as any error does and is
// returned by the statement that carried it.

// idBlock holds ids drawn ahead from one table's identity sequence, in
// the order the sequence gave them.
type idBlock struct {
	ids  []int64
	draw int // how many the next draw takes
}

// maxIDDraw bounds how many ids one draw takes. Draws start at one and
// double within a transaction, so a single delivery draws exactly the one
// id it uses (as an INSERT would) and a batch of N rows wastes fewer
// than N ids; ids drawn and not used are gaps, as a rolled-back INSERT
// leaves.
const maxIDDraw = 256

// newID returns an id for a new row of table, drawn from its identity
// sequence. The writer lock makes the ids of successive transactions
// increase, as those of INSERTs do.
func (tx *Tx) newID(table string) (int64, error) {
	if tx.ids == nil {
		tx.ids = map[string]*idBlock{}
	}
	blk := tx.ids[table]
	if blk == nil {
		blk = &idBlock{draw: 1}
		tx.ids[table] = blk
	}
	if len(blk.ids) == 0 {
		rows, err := tx.query(`SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)`, table, blk.draw)
		if err != nil {
			return 0, tx.err(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, tx.err(err)
		}
		blk.ids = ids
		blk.draw = min(2*blk.draw, maxIDDraw)
	}
	id := blk.ids[0]
	blk.ids = blk.ids[1:]
	return id, nil
}

// queue adds an insert to the pending ones (query with ? placeholders).
func (tx *Tx) queue(query string, args ...any) {
	tx.pending.Queue(rebind(query), args...)
}

// flush sends the pending inserts, if any, and returns the error that
// broke the transaction, if any.
func (tx *Tx) flush() error {
	if tx.broken != nil {
		return tx.broken
	}
	if tx.pending.Len() == 0 {
		return nil
	}
	b := tx.pending
	tx.pending = pgx.Batch{}
	br := tx.tx.SendBatch(tx.ctx, &b)
	err := execAll(br, b.Len())
	if err != nil {
		return tx.fail(err)
	}
	return nil
}

// execAll reads n results of br and closes it, returning the first error.
func execAll(br pgx.BatchResults, n int) error {
	var err error
	for i := 0; err == nil && i < n; i++ {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// takePending moves the pending inserts to the front of b, which the
// caller sends, and returns how many they are: their results come first.
func (tx *Tx) takePending(b *pgx.Batch) int {
	n := tx.pending.Len()
	if n > 0 {
		b.QueuedQueries = append(tx.pending.QueuedQueries, b.QueuedQueries...)
		tx.pending = pgx.Batch{}
	}
	return n
}
