// Package backend opens a store by its name on the command line: a
// postgres:// or postgresql:// URL is a PostgreSQL store, anything else
// the path of a SQLite file. It is the one place that knows every backend,
// so that commands and tests choose one by the --db value alone.
package backend

import (
	"context"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/postgres"
	"github.com/smartbcc/smartbcc/store/sqlite"
)

// Options tune how a store is opened, whatever its backend. The zero
// value is the safe default.
type Options struct {
	// BusyTimeout is how long a transaction waits for another writer
	// before failing with store.EBusy. Default 5s.
	BusyTimeout time.Duration
	// Synchronous is "FULL" (default): a commit is on disk before it
	// returns, so that a delivery acknowledged to Postfix survives power
	// loss. "NORMAL" is for bulk imports, which can simply be run again:
	// SQLite's synchronous=NORMAL, PostgreSQL's synchronous_commit=off.
	Synchronous string
	// FileMode is the mode of a new SQLite file (default 0600).
	FileMode os.FileMode
	// ReadOnly opens the store for View only.
	ReadOnly bool
	// MustExist refuses to create a store: Open of a SQLite path with no
	// store file, or of a PostgreSQL database without smartbcc's tables,
	// fails with store.EUnavailable ("no store at ...").
	MustExist bool
	// BackgroundCheckpoints, for a long-running writer (serve): SQLite's
	// WAL is copied into the database beside the writer, never by a
	// commit (see sqlite.Options). No effect on PostgreSQL.
	BackgroundCheckpoints bool
	// FTSMerge, for a long-running writer (serve): SQLite's full-text
	// index merges its segments a little in every transaction that adds
	// to it, never all at once (see sqlite.Options). No effect on
	// PostgreSQL.
	FTSMerge bool
	// RawPacks, for bulk imports: SQLite appends the raw mail of new
	// messages to pack files beside the database (<path>-raw/) rather
	// than writing it twice through its WAL (see sqlite.Options). No
	// effect on PostgreSQL.
	RawPacks bool
}

// Kinds of store.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Kind tells which backend dsn names.
func Kind(dsn string) string {
	lower := strings.ToLower(strings.TrimSpace(dsn))
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Redact returns dsn fit to print: a URL without its password.
func Redact(dsn string) string {
	if Kind(dsn) != Postgres {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Open opens the store dsn names, creating and migrating it as needed.
func Open(ctx context.Context, dsn string, opt Options) (store.Store, error) {
	if Kind(dsn) == Postgres {
		db, err := postgres.Open(ctx, dsn, postgres.Options{
			BusyTimeout: opt.BusyTimeout,
			Synchronous: opt.Synchronous,
			ReadOnly:    opt.ReadOnly,
			MustExist:   opt.MustExist,
		})
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, dsn, sqlite.Options{
		BusyTimeout: opt.BusyTimeout,
		Synchronous: opt.Synchronous,
		FileMode:    opt.FileMode,
		ReadOnly:    opt.ReadOnly,
		MustExist:   opt.MustExist,

		BackgroundCheckpoints: opt.BackgroundCheckpoints,
		FTSMerge:              opt.FTSMerge,
		RawPacks:              opt.RawPacks,
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}
