package lmtp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
)

// SIGHUP after logrotate: lines go to the new file, none are lost.
func TestMaillogReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smartbcc.log")
	l, err := OpenMaillog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Printf("before")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	l.Printf("after the move, before the reopen")
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Delivery(1, "Q1", "ann@acme.example", "acme+deal-abcdefghijklmnop@bcc.acme.example", ingest.Result{ID: 3},
		ingest.Disposition{Status: "stored", Code: 250, Enhanced: "2.0.0"}, time.Millisecond)
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), "before") || !strings.Contains(string(old), "after the move") {
		t.Errorf("rotated file: %q", old)
	}
	if !strings.Contains(string(cur), "status=stored id=3") || strings.Contains(string(cur), "abcdefghijklmnop") {
		t.Errorf("new file: %q (want the delivery, without its token)", cur)
	}
	// An attacker's envelope cannot add lines or fields.
	l.Delivery(2, "", "x> status=stored\nforged line", "<a@b>", ingest.Result{}, ingest.Disposition{Status: "rejected"}, 0)
	cur, _ = os.ReadFile(path)
	if strings.Count(string(cur), "\n") != 2 || strings.Count(string(cur), " status=stored") != 1 {
		t.Errorf("envelope text changed the log's shape: %q", cur)
	}
}
