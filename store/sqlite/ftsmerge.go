package sqlite

// Incremental merging of the full-text index, for the delivery server.
//
// FTS4 writes the terms a transaction adds as one new segment at level 0
// when it commits. Left to itself (its "legacy" merge, fts3AllocateSegdirIdx
// in SQLite's fts3_write.c), it merges a level the moment that level would
// get a 17th segment: all 16 into one segment of the next level, inside the
// commit that adds the 17th, which can cascade up the levels. Every 16th
// commit so merges level 0, every 256th rewrites level 1, every 4096th
// level 2, each stall 16 times the one before, and it grows with the
// store: in the group commit of `smartbcc serve` every delivery of the
// group, and the 32 sessions queued behind it, wait for it (the slow 1% of
// the LMTP benchmark came in such bursts).
//
// FTS4's 'automerge' setting does not remove those merges: it runs after
// the same flush, only when a transaction wrote more than 4 leaf blocks
// (never for a group of the benchmark's short messages), with a budget
// that grows with the depth of the index, and in a measurement it left the
// 100 ms commits in place. Instead the server's write transactions that
// indexed mail end with FTS4's own incremental merge, 'merge=X,Y': it
// merges Y segments of the lowest level holding at least Y, writing at most
// X leaf blocks, and goes on where it stopped in the next transaction (FTS4
// keeps a hint in its %_stat table). With Y = 8 a level is worked on long
// before it fills up to 16, and with X = 16 every group pays a small bounded
// share (measured: CPU per group of 12 mail-like messages, 3,000 groups: max
// 103.6 ms -> 12.7 ms, p99 19.7 -> 11.5 ms, mean 5.22 -> 5.39 ms).
//
// Only the server asks for it (Options.FTSMerge): an import commits rarely,
// in big transactions, and wants throughput, not short commits.
// ftsMergeSQL merges 8 segments at once (Y), writing at most 16 leaf
// blocks (X) per transaction.
const ftsMergeSQL = `INSERT INTO message_fts (message_fts) VALUES ('merge=16,8')`

// mergeIndex does a bounded step of merging in the index, before the
// transaction commits.
func (tx *Tx) mergeIndex() error {
	if _, err := tx.exec(ftsMergeSQL); err != nil {
		return tx.err(err)
	}
	return nil
}
