package postgres

import "context"

// OpenWithMigrations is openWithMigrations for the contract suite.
func OpenWithMigrations(ctx context.Context, dsn string, opt Options, n int) (*DB, error) {
	return openWithMigrations(ctx, dsn, opt, n)
}

// MigrationNames lists the embedded migrations in order.
func MigrationNames() []string {
	var names []string
	for _, m := range migrations {
		names = append(names, m.name)
	}
	return names
}
