package postgres

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// TestSilentServerIsUnavailable: a server that takes the connection and
// never answers (a host down behind a proxy, a full backlog) is an
// unavailable store, said so, not "store is busy: gave up waiting",
// which sends the administrator looking for a lock. No PostgreSQL needed.
func TestSilentServerIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	url := "postgres://smartbcc@" + ln.Addr().String() + "/smartbcc?sslmode=disable&connect_timeout=1"
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
