//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// TestServeWaitsForPostgres: serve started while its PostgreSQL server is
// not up yet (the database host boots after the mail host, or is being
// restarted) waits for it, saying so in its log, and serves once it is up.
// It once exited 1 at once: under the shipped unit (Restart=on-failure,
// RestartSec=2, systemd's default start limit of 5 starts in 10 s) it was
// given up for good within seconds, and Postfix's mail waited for an
// administrator though the database was back.
func TestServeWaitsForPostgres(t *testing.T) {
	cluster := pgtest.NewCluster(t)
	dsn := pgtest.FreshIn(t, cluster.URL())
	w := newWorld(t)
	w.db = dsn
	w.setup()
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	// serve refuses to run as root: benchCmd runs it as nobody, who
	// needs a binary and a zone it can read.
	base, err := os.MkdirTemp("", "smartbcc-pgserve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	bin, zone := filepath.Join(base, "smartbcc"), filepath.Join(base, "zone.txt")
	for _, err := range []error{os.Chmod(base, 0o755), copyFileMode(w.bin, bin, 0o755), copyFileMode(w.zone, zone, 0o644)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	port := pfFreePort(t)
	var log lockedBuffer
	cmd := benchCmd(bin, dsn, nil, "--dns-zone", zone, "serve", "--lmtp", fmt.Sprintf("tcp:127.0.0.1:%d", port), "--auth", "off", "--grace", "2s")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	waitLog := func(what string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(log.String(), what) {
			select {
			case err := <-exited:
				exited <- err
				t.Fatalf("serve exited (%v) before its log said %q:\n%s", err, what, log.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve's log never said %q:\n%s", what, log.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitLog("store unavailable")
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	waitLog("listening on")
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	id := "waited@acme.example"
	if err := c.Hello("postfix.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("ann@acme.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(universal, nil); err != nil {
		t.Fatal(err)
	}
	wc, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wc.Write(w.annMail(id, "Waited", "Hello.\n")); err != nil {
		t.Fatal(err)
	}
	if err := wc.Close(); err != nil {
		t.Fatalf("delivery after the database came up: %v\n%s", err, log.String())
	}
	if n := storetest.SQL(t, dsn).Int(t, `SELECT count(*) FROM messages WHERE message_id = ?`, id); n != 1 {
		t.Errorf("stored %d times", n)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, log.String())
	}
	exited <- nil
}
