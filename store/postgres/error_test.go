package postgres

import (
	"context"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
)

// TestSilentServerIsUnavailable: a server that takes the connection and
// never answers (a host down behind a proxy, a full backlog) is an
// unavailable store, said so, not "store is busy: gave up waiting",
// which sends the administrator looking for a lock. No PostgreSQL needed.
func TestSilentServerIsUnavailable(t *testing.T) {
	addr := pgtest.SilentServer(t)
	url := "postgres://smartbcc@" + addr + "/smartbcc?sslmode=disable&connect_timeout=1"
	db, err := Open(context.Background(), url, Options{})
	if err == nil {
		db.Close()
		t.Fatal("opened a store on a server that never answers")
	}
	want := "store " + url + " is unavailable: the server did not answer in time (connect_timeout 1s)"
	if store.ErrorCode(err) != store.EUnavailable || err.Error() != want {
		t.Errorf("error %q (%s), want %q (%s)", err, store.ErrorCode(err), want, store.EUnavailable)
	}
}
