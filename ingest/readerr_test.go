package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// A file damaged in itself (a .gz cut short, an .emlx of the wrong
// length) is refused as unreadable once, however often the archive is
// imported, as docs/cli.md says of every refusal. A read error the
// system reports may pass: it is a temporary failure, retried by running
// the import again, and no refusal is recorded.
func TestReadErrorsRefusedOnceOrRetried(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, backend.Options{})
	storetest.AddAcmeAndAnn(t, db)
	in := ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})

	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\nMessage-ID: <1@x>\n\nbody\n"))
	w.Close()
	dir := t.TempDir()
	files := map[string]string{
		"cut.mbox.gz": gz.String()[:gz.Len()-10],
		"short.emlx":  "200       \nSubject: e\n\nhi\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rejections := func() int {
		var n int
		err := db.View(ctx, func(tx store.Tx) error {
			rs, err := tx.Rejections(time.Time{})
			n = len(rs)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for run := range 2 {
		for name := range files {
			r, err := mailfile.Open(filepath.Join(dir, name), mailfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for {
				it, err := r.Next()
				if err == io.EOF {
					break
				}
				res, err := in.Ingest(ctx, *ingest.ItemDelivery(it, store.Envelope{}))
				if err != nil || res.Status != ingest.StatusRejected || res.Reason != "unreadable" {
					t.Errorf("run %d, %s: %s (%s), %v; want rejected (unreadable)", run+1, it.Origin, res.Status, res.Reason, err)
				}
			}
			r.Close()
		}
		if n := rejections(); n != len(files) {
			t.Errorf("after run %d: %d rejections, want %d", run+1, n, len(files))
		}
	}

	boom := errors.New("input/output error")
	r, err := mailfile.OpenReader(io.MultiReader(strings.NewReader("Subject: 1\n\npartial"), iotest.ErrReader(boom)), "stdin", mailfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := r.Next()
	res, err := in.Ingest(ctx, *ingest.ItemDelivery(it, store.Envelope{}))
	if !errors.Is(err, boom) || !ingest.IsTemporary(err) {
		t.Errorf("a read error the system reports: %s (%s), %v; want a temporary error", res.Status, res.Reason, err)
	}
	if n := rejections(); n != len(files) {
		t.Errorf("after a read error the system reports: %d rejections, want %d", n, len(files))
	}
}

// An empty file is refused as not_a_message once, however often it is
// imported, as every refusal is (docs/cli.md); two empty files are two
// refusals. Its bytes, none, are every empty file's, which the store
// never takes for the same input (store.EmptySHA256).
func TestEmptyFileRefusedOnce(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, backend.Options{})
	storetest.AddAcmeAndAnn(t, db)
	in := ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})
	dir := t.TempDir()
	for _, name := range []string{"empty.eml", "md/cur/1700000000.M1P1.host:2,S", "md/new/1700000001.M1P1.host"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "md/tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		r, err := mailfile.Open(dir, mailfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			it, err := r.Next()
			if err == io.EOF {
				break
			}
			n++
			res, err := in.Ingest(ctx, *ingest.ItemDelivery(it, store.Envelope{}))
			if err != nil || res.Status != ingest.StatusRejected || res.Reason != "not_a_message" {
				t.Errorf("run %d, %s: %s (%s), %v; want rejected (not_a_message)", run+1, it.Origin, res.Status, res.Reason, err)
			}
		}
		r.Close()
		if n != 3 {
			t.Errorf("run %d: %d inputs, want 3", run+1, n)
		}
		var rows int
		err = db.View(ctx, func(tx store.Tx) error {
			rs, err := tx.Rejections(time.Time{})
			rows = len(rs)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows != 3 {
			t.Errorf("after run %d: %d rejections, want 3", run+1, rows)
		}
	}
}
