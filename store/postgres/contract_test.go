package postgres_test

import (
	"context"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/postgres"
	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// TestContract runs the store contract, the same suite as every backend.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Name:  "postgres",
		Fresh: pgtest.Fresh,
		Open: func(ctx context.Context, dsn string, opt backend.Options) (store.Store, error) {
			return backend.Open(ctx, dsn, opt)
		},
		OpenMigrations: func(ctx context.Context, dsn string, n int) (store.Store, error) {
			db, err := postgres.OpenWithMigrations(ctx, dsn, postgres.Options{}, n)
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return db, nil
		},
		Migrations: postgres.MigrationNames(),
		SQL:        storetest.SQL,
	})
}
