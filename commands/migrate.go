package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

type migrateOptions struct {
	from, to string
}

// migrateOut is what migrate --json prints: the rows copied, by table.
type migrateOut struct {
	From   string         `json:"from"`
	To     string         `json:"to"`
	Tables map[string]int `json:"tables"`
}

func newMigrateCmd(app *App) *cobra.Command {
	var opts migrateOptions
	cmd := &cobra.Command{
		Use:   "migrate --to STORE [--from STORE]",
		Short: "Copy a whole store into another, empty one (SQLite to PostgreSQL, say)",
		Long: `migrate copies everything a store holds, every message with its raw bytes
exactly as received, into another store, which must be empty: a company that
grows from one mail host to several moves its SQLite file into PostgreSQL
without losing history, and keeps every id (message, thread, deal...).

Stop deliveries while it runs (postfix defer the smartbcc transport, or keep
Postfix from running it): mail that arrives meanwhile stays in Postfix's queue
and is delivered to the new store once the pipe points at it. The copy is
read from one snapshot of the old store and written in one transaction, so an
interrupted migrate leaves the new store empty; the old one is never changed
(beyond bringing its schema up to date). The new store's consistency is
checked at the end.`,
		Example: `  smartbcc migrate --from /var/lib/smartbcc/smartbcc.db --to postgres://smartbcc@db.example.com/smartbcc
  SMARTBCC_DB=./smartbcc.db smartbcc migrate --to 'postgres:///smartbcc?host=/run/postgresql'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMigrate(cmd, app, opts)
		},
	}
	cmd.Flags().StringVar(&opts.from, "from", "", "the store to copy (default: --db)")
	cmd.Flags().StringVar(&opts.to, "to", "", "the empty store to copy into: a SQLite path or a postgres:// URL")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func runMigrate(cmd *cobra.Command, app *App, opts migrateOptions) error {
	// It copies every user's mail, private mail included: the
	// administrator's, as rejected and quarantine are.
	if err := requireAdmin(app, "migrate"); err != nil {
		return err
	}
	ctx := cmd.Context()
	from := strings.TrimSpace(opts.from)
	if from == "" {
		from = app.DBPath
	}
	to := strings.TrimSpace(opts.to)
	if to == "" {
		return usageErrorf("--to names the store to copy into")
	}
	if from == to {
		return usageErrorf("--from and --to name the same store")
	}
	src, err := backend.Open(ctx, from, backend.Options{BusyTimeout: app.StoreOptions.BusyTimeout, MustExist: true})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := backend.Open(ctx, to, backend.Options{BusyTimeout: app.StoreOptions.BusyTimeout, Synchronous: "NORMAL"})
	if err != nil {
		return err
	}
	defer dst.Close()
	dumper, ok1 := src.(store.Dumper)
	loader, ok2 := dst.(store.Loader)
	if !ok1 || !ok2 {
		return store.Errorf(store.EInternal, "these stores cannot be copied")
	}

	counts := map[string]int{}
	err = loader.Load(ctx, func(put func(t *store.Table, row []any) error) error {
		return dumper.Dump(ctx, func(t *store.Table, row []any) error {
			if t.Name != store.IDsGiven.Name {
				counts[t.Name]++
			}
			return put(t, row)
		})
	})
	if err != nil {
		return err
	}
	if c, ok := dst.(store.Checker); ok {
		if err := c.Check(ctx); err != nil {
			return store.Errorf(store.EInternal, "the copy fails its consistency check: %v", err)
		}
	}
	if app.JSON {
		return app.printJSON(migrateOut{From: backend.Redact(from), To: backend.Redact(to), Tables: counts})
	}
	app.printf("copied %s, %s, %s, %s, %s, %s, %s, %s, %s, %d quarantined\n",
		plural(counts["messages"], "message"), plural(counts["threads"], "thread"), plural(counts["users"], "user"),
		plural(counts["persons"], "person"), plural(counts["deals"], "deal"), plural(counts["leads"], "lead"),
		plural(counts["projects"], "project"), plural(counts["links"], "link"), plural(counts["rejections"], "rejection"),
		counts["quarantine"])
	app.printf("from %s\nto   %s\n", backend.Redact(from), backend.Redact(to))
	fmt.Fprintf(app.IO.ErrOut, "Point --db (or SMARTBCC_DB) and postfix-config at the new store before deliveries resume.\n")
	return nil
}
