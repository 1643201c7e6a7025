package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"time"
)

// walCheckpointBytes is how large the WAL may grow before the background
// checkpointer copies it into the database.
const walCheckpointBytes = 16 << 20

// walKeepBytes is what the WAL file is cut back to (journal_size_limit)
// when it starts over after a complete checkpoint. SQLite otherwise keeps
// the file at its largest size for good: after one burst of deliveries or
// one import, a long-running server would keep a WAL of 100 MB and more on
// disk, and the checkpointer, which looks at the file's size, would wake
// for it every tick. Only the server sets it: an import's WAL is removed
// when it closes the store, and cutting and growing the file again during
// one cost an import of the reference corpus 0.4-0.7 s more system time.
const walKeepBytes = 4 << 20

// A bulk import (synchronous NORMAL) commits many large transactions from
// one writer. With SQLite's automatic checkpoints the commit that crosses
// the threshold also copies the WAL into the database and waits for that,
// so parsing stalls behind the disk. Instead the writer never checkpoints
// (wal_autocheckpoint=0) and a goroutine with its own connection runs
// PASSIVE checkpoints, which never block the writer, whenever the WAL has
// grown. The delivery server (serve, synchronous FULL) does the same for
// its group commits (Options.BackgroundCheckpoints). Pipe deliveries keep
// SQLite's default: each is one small commit of a short-lived process.
//
// How often: the server's WAL is cut back to walKeepBytes after each
// complete checkpoint, and it checks every 50 ms (serverCheckpointEvery)
// so that the file stays small. An import's WAL is never complete: the
// writer appends while each checkpoint runs, so the file grows to the
// size of everything the import writes (900 MB for the reference corpus)
// and is removed when the store closes. Each checkpoint copies the latest
// version of every page written since the one before, and an import
// rewrites the same index pages in every commit: checking every 500 ms
// (importCheckpointEvery) instead of every 50 ms copied 600 MB less into
// the database (2.4 -> 1.8 GB written in all) for 0.6 s less CPU in the
// checkpointer, of 12 s (reference corpus, 2 runs each; 2 s saved only
// 0.1 s more).
const (
	serverCheckpointEvery = 50 * time.Millisecond
	importCheckpointEvery = 500 * time.Millisecond
)

type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
}

func (db *DB) startCheckpointer(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, "PRAGMA wal_autocheckpoint=0"); err != nil {
		return db.storeError(err)
	}
	if db.opt.BackgroundCheckpoints {
		if _, err := db.writer.ExecContext(ctx, fmt.Sprintf("PRAGMA journal_size_limit=%d", walKeepBytes)); err != nil {
			return db.storeError(err)
		}
	}
	conn, err := sql.Open("sqlite3", dsn(db.path, url.Values{
		"_busy_timeout": {fmt.Sprint(db.opt.BusyTimeout.Milliseconds())},
	}))
	if err != nil {
		return db.storeError(err)
	}
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	db.checkpoints = c
	every := importCheckpointEvery
	if db.opt.BackgroundCheckpoints {
		every = serverCheckpointEvery
	}
	go c.run(db.path+"-wal", every)
	return nil
}

func (c *checkpointer) run(wal string, every time.Duration) {
	defer close(c.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			if fi, err := os.Stat(wal); err == nil && fi.Size() >= walCheckpointBytes {
				// Errors (busy, say) only mean the next tick tries again.
				_, _ = c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
			}
		}
	}
}

// close stops the goroutine and checkpoints once more, so that the WAL
// does not stay large after an import.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	_, _ = c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	return c.conn.Close()
}
