package ingest

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// corporaDir holds real third-party test mail (see ../../shared/corpora/
// SOURCES.md). It is read in place, never copied into the repository.
const corporaDir = "../../shared/corpora"

func openTestStore(t testing.TB) store.Store {
	t.Helper()
	db, _ := storetest.Open(t, backend.Options{Synchronous: "NORMAL"})
	err := db.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "bcc.acme.example"); err != nil {
			return err
		}
		_, err := tx.CreateUser("ann@acme.example", "Ann")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// mailLike picks the corpus files that are meant to be messages or mboxes.
func mailLike(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".eml", ".msg", ".raw", ".txt", ".mbox", ".mail", "":
		return !strings.Contains(strings.ToLower(filepath.Base(path)), "license")
	}
	return false
}

// TestCorporaIngestWithoutPanicOrHang sends every message of the shared
// corpora through the whole pipeline: each must end stored, duplicate or
// rejected with a reason, never a panic, an error or a hang.
func TestCorporaIngestWithoutPanicOrHang(t *testing.T) {
	if _, err := os.Stat(corporaDir); err != nil {
		t.Skip("shared corpora not present")
	}
	st := openTestStore(t)
	in := New(Options{Store: st, AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})
	counts, reasons := map[string]int{}, map[string]int{}
	files := 0
	err := filepath.WalkDir(corporaDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !mailLike(path) {
			return err
		}
		files++
		r, err := mailfile.Open(path, mailfile.Options{MaxSize: DefaultMaxSize})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		defer r.Close()
		for {
			it, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", path, err)
				break
			}
			res := ingestWithDeadline(t, in, Delivery{Raw: it.Raw, Origin: it.Origin, Size: it.Size, ReadErr: it.Err})
			counts[res.Status]++
			reasons[res.Reason]++
			if res.Status != StatusStored && res.Status != StatusDuplicate && res.Reason == "" {
				t.Errorf("%s: status %q without a reason", it.Origin, res.Status)
			}
			if res.Status == "" {
				t.Errorf("%s: no decision", it.Origin)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files: %v; reasons %v", files, counts, reasons)
	if counts[StatusStored] < 500 {
		t.Errorf("only %d corpus messages stored; the pipeline refuses real mail", counts[StatusStored])
	}
}

// ingestWithDeadline fails the test if one message hangs the pipeline.
func ingestWithDeadline(t *testing.T, in *Ingester, d Delivery) Result {
	t.Helper()
	type out struct {
		r   Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		r, err := in.Ingest(context.Background(), d)
		ch <- out{r, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			t.Errorf("%s: %v", d.Origin, o.err)
		}
		return o.r
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: ingest hangs", d.Origin)
	}
	return Result{}
}
