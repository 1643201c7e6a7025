package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/sqlite"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// TestContract runs the store contract, the same suite as every backend.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Name:  "sqlite",
		Fresh: func(t testing.TB) string { return filepath.Join(t.TempDir(), "smartbcc.db") },
		Open: func(ctx context.Context, dsn string, opt backend.Options) (store.Store, error) {
			return backend.Open(ctx, dsn, opt)
		},
		OpenMigrations: func(ctx context.Context, dsn string, n int) (store.Store, error) {
			return sqlite.OpenWithMigrations(ctx, dsn, sqlite.Options{}, n)
		},
		Migrations: sqlite.MigrationNames(),
		SQL:        storetest.SQL,
	})
}

// TestContractRawPacks runs the contract again on stores opened as an
// archive import opens them: the raw mail in pack files beside the
// database (rawpack.go) must behave as raw mail kept inline.
func TestContractRawPacks(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Name:  "sqlite",
		Fresh: func(t testing.TB) string { return filepath.Join(t.TempDir(), "smartbcc.db") },
		Open: func(ctx context.Context, dsn string, opt backend.Options) (store.Store, error) {
			opt.RawPacks = true
			return backend.Open(ctx, dsn, opt)
		},
		OpenMigrations: func(ctx context.Context, dsn string, n int) (store.Store, error) {
			return sqlite.OpenWithMigrations(ctx, dsn, sqlite.Options{RawPacks: true}, n)
		},
		Migrations: sqlite.MigrationNames(),
		SQL:        storetest.SQL,
	})
}
