package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for SQL
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" driver, for SQL

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
)

// BackendEnv names the environment variable that chooses the backend of
// the tests outside store: "sqlite" (the default) or "postgres".
const BackendEnv = "SMARTBCC_TEST_STORE"

// Kind is the backend the tests outside store use (see BackendEnv).
func Kind(t testing.TB) string {
	switch v := strings.TrimSpace(os.Getenv(BackendEnv)); v {
	case "", backend.SQLite:
		return backend.SQLite
	case backend.Postgres:
		return backend.Postgres
	default:
		t.Fatalf("%s=%q: want sqlite or postgres", BackendEnv, v)
		return ""
	}
}

// Fresh returns the DSN of a new, empty store of the chosen backend, for
// tests that run the smartbcc binary with --db. It is removed when the
// test ends.
func Fresh(t testing.TB) string {
	t.Helper()
	if Kind(t) == backend.Postgres {
		return pgtest.Fresh(t)
	}
	return filepath.Join(t.TempDir(), "smartbcc.db")
}

// FreshIn is Fresh for callers without a testing.TB (testscript's
// Setup): a SQLite file in dir, or a new PostgreSQL schema; cleanup
// removes the schema.
func FreshIn(dir string) (dsn string, cleanup func(), err error) {
	switch v := strings.TrimSpace(os.Getenv(BackendEnv)); v {
	case "", backend.SQLite:
		return filepath.Join(dir, "smartbcc.db"), func() {}, nil
	case backend.Postgres:
		return pgtest.FreshSchema()
	default:
		return "", nil, fmt.Errorf("%s=%q: want sqlite or postgres", BackendEnv, v)
	}
}

// Open opens a new store of the chosen backend; it is closed when the test
// ends. The DSN is returned for SQL and Check, and for the binary's --db.
func Open(t testing.TB, opt backend.Options) (store.Store, string) {
	t.Helper()
	dsn := Fresh(t)
	return OpenDSN(t, dsn, opt), dsn
}

// OpenKind opens a new store of the backend kind (backend.SQLite or
// backend.Postgres), whatever SMARTBCC_TEST_STORE says: for benchmarks
// that compare the two. It is closed when the test ends.
func OpenKind(t testing.TB, kind string, opt backend.Options) store.Store {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "smartbcc.db")
	if kind == backend.Postgres {
		dsn = pgtest.Fresh(t)
	}
	return OpenDSN(t, dsn, opt)
}

// OpenDSN opens the store dsn names; it is closed when the test ends.
func OpenDSN(t testing.TB, dsn string, opt backend.Options) store.Store {
	t.Helper()
	db, err := backend.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatalf("open store %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Check runs the backend's consistency check (store.Checker) on dsn
// through a handle of its own, and fails the test if it finds anything.
func Check(t testing.TB, dsn string) {
	t.Helper()
	db, err := backend.Open(context.Background(), dsn, backend.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open store %s for the check: %v", dsn, err)
	}
	defer db.Close()
	c, ok := db.(store.Checker)
	if !ok {
		t.Fatalf("store %s has no consistency check", dsn)
	}
	if err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// DB is a raw connection to a store for what tests check under the
// interface (row counts, a deliberately broken row). Queries are written
// once with ? placeholders and in SQL both backends speak.
type DB struct {
	db     *sql.DB
	dsn    string
	dollar bool // PostgreSQL: $1, $2...
}

// SQL opens a raw connection to the store dsn names; it is closed when
// the test ends.
func SQL(t testing.TB, dsn string) *DB {
	t.Helper()
	d := DB{dsn: dsn}
	var err error
	switch backend.Kind(dsn) {
	case backend.Postgres:
		d.dollar = true
		d.db, err = sql.Open("pgx", dsn)
	default:
		d.db, err = sql.Open("sqlite3", "file:"+strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(dsn)+"?_busy_timeout=30000")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.db.Close() })
	return &d
}

// Close closes the connection before the test ends.
func (d *DB) Close() error { return d.db.Close() }

// DSN names the store.
func (d *DB) DSN() string { return d.dsn }

// QueryRow is database/sql's, with ? placeholders on every backend.
func (d *DB) QueryRow(q string, args ...any) *sql.Row { return d.db.QueryRow(d.rebind(q), args...) }

// Query is database/sql's, with ? placeholders on every backend.
func (d *DB) Query(q string, args ...any) (*sql.Rows, error) { return d.db.Query(d.rebind(q), args...) }

// rebind turns ? placeholders into PostgreSQL's $n.
func (d *DB) rebind(q string) string {
	if !d.dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Exec runs a statement and fails the test on error.
func (d *DB) Exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := d.db.Exec(d.rebind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// Int runs a query for one integer (a count) and fails the test on error.
func (d *DB) Int(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.db.QueryRow(d.rebind(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Strings runs a query for one text column and fails the test on error.
func (d *DB) Strings(t testing.TB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.db.Query(d.rebind(q), args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// TableNames lists the store's tables.
func (d *DB) TableNames(t testing.TB) []string {
	t.Helper()
	if d.dollar {
		return d.Strings(t, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
	}
	return d.Strings(t, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1`)
}

// ColumnNames lists a table's columns in order.
func (d *DB) ColumnNames(t testing.TB, table string) []string {
	t.Helper()
	if d.dollar {
		return d.Strings(t, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
	}
	return d.Strings(t, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
}

// AddAcmeAndAnn gives the store db a company, Acme (Bcc domain
// bcc.acme.example), and one user, ann@acme.example: what the import and
// search tests need before they file mail.
func AddAcmeAndAnn(t testing.TB, db store.Store) {
	t.Helper()
	err := db.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		_, err := tx.CreateUser("ann@acme.example", "Ann")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
