package ingest

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

func openTestStore(t testing.TB) store.Store {
	t.Helper()
	db, _ := storetest.Open(t, backend.Options{Synchronous: "NORMAL"})
	storetest.AddAcmeAndAnn(t, db)
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
	corporaDir := archivetest.CorporaDir(t)
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
			res := ingestWithDeadline(t, in, *ItemDelivery(it, store.Envelope{}))
			counts[res.Status]++
			reasons[res.Reason]++
			if res.Status != StatusStored && res.Status != StatusDuplicate && res.Reason == "" && res.Status != StatusSkipped {
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

// readerSource feeds a reader's items to Run as the ingest command does.
type readerSource struct{ r mailfile.Reader }

func (s readerSource) Next() (*Delivery, error) {
	it, err := s.r.Next()
	if err != nil {
		return nil, err
	}
	return ItemDelivery(it, store.Envelope{}), nil
}

// TestArchivesImport imports every archive of archivetest.Archives (the
// third-party corpora and one archive per mail writer) into an empty
// store, with --user and --auth off, and asserts for each file by name
// that every input is accounted for,
//
//	read = stored + duplicates + refused (by reason) + skipped (by cause),
//
// that read is what the reader gives, and each outcome is the table's.
func TestArchivesImport(t *testing.T) {
	maildirs := t.TempDir()
	archivetest.MakeMaildirs(t, maildirs)
	for _, a := range archivetest.Archives {
		t.Run(a.Name, func(t *testing.T) {
			corpora := ""
			if strings.HasPrefix(a.Name, "corpora/") {
				corpora = archivetest.CorporaDir(t)
			}
			r, err := mailfile.Open(a.Path(corpora, maildirs), mailfile.Options{Format: mailfile.Format(a.Format)})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			in := New(Options{Store: openTestStore(t), AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example"})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			sum, err := in.Run(ctx, readerSource{r}, RunOptions{OnResult: func(r Result) {
				if r.Status == StatusRejected || r.Status == StatusDuplicate || r.Reason == ReasonMessageIDReused {
					t.Logf("%s: %s (%s)", r.Origin, r.Reason, strings.Join(r.Explain, "; "))
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("read %d = stored %d + duplicate %d + refused %v + skipped %v", sum.Total, sum.Stored, sum.Duplicate, sum.Refused, sum.SkippedBy)
			if n := sum.Unaccounted(); n != 0 {
				t.Errorf("%d inputs unaccounted for: %+v", n, sum)
			}
			if sum.Total != a.Read() {
				t.Errorf("read %d, the reader gives %d", sum.Total, a.Read())
			}
			if sum.Stored != a.Stored || sum.Duplicate != a.Duplicate || sum.Quarantined+sum.Confirmed != 0 {
				t.Errorf("stored %d, duplicate %d, quarantined %d, confirmed %d; want %d stored, %d duplicate",
					sum.Stored, sum.Duplicate, sum.Quarantined, sum.Confirmed, a.Stored, a.Duplicate)
			}
			if !sameCounts(sum.Refused, a.Refused) {
				t.Errorf("refused %v, want %v", sum.Refused, a.Refused)
			}
			if !sameCounts(sum.SkippedBy, a.Skipped) {
				t.Errorf("skipped %v, want %v", sum.SkippedBy, a.Skipped)
			}
			if sum.Suspects != a.Suspects {
				t.Errorf("%d suspect messages, want %d", sum.Suspects, a.Suspects)
			}
		})
	}
}

func sameCounts(a, b map[string]int) bool {
	return len(a) == 0 && len(b) == 0 || maps.Equal(a, b)
}
