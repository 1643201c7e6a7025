package ingest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
	"github.com/smartbcc/smartbcc/store"
)

// TestCorpusMessageDate: a message is dated by its Date header; without
// a readable one, by the date its archive gives it (the mbox From_ line);
// without that either, it has no date (null, listed by its arrival). It
// is never dated by the time of the import. Python's email package,
// notmuch and mu give no date to these messages; Python's mailbox keeps
// the From_ line.
func TestCorpusMessageDate(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	for _, tt := range []struct {
		file string
		msg  int    // the message's number in the file (mbox), from 1
		want string // RFC 3339, "" for none
	}{
		// "From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info", no Date.
		{"cpython-email-data/Lib/test/test_email/data/mailbox_01.mbox", 1, "2022-08-07T11:40:37Z"},
		// A file with no Date and no archive around it.
		{"cpython-email-data/Lib/test/test_email/data/msg_11.txt", 1, ""},
		{"mime4j/core/src/test/resources/mimetools-testmsgs/multi-simple.msg", 1, ""},
		// A Date header decides.
		{"cpython-email-data/Lib/test/test_email/data/msg_01.txt", 1, "2001-05-04T18:05:44Z"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			st := openTestStore(t)
			in := New(Options{Store: st, AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport,
				Owner: "ann@acme.example", KeepBulk: true})
			r, err := mailfile.Open(filepath.Join(corpora, filepath.FromSlash(tt.file)), mailfile.Options{MaxSize: DefaultMaxSize})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var it *mailfile.Item
			for range tt.msg {
				if it, err = r.Next(); err != nil {
					t.Fatalf("message %d: %v", tt.msg, err)
				}
			}
			res := ingestWithDeadline(t, in, *ItemDelivery(it, store.Envelope{}))
			if res.Status != StatusStored {
				t.Fatalf("%s: %s (%s)", it.Origin, res.Status, res.Reason)
			}
			err = st.View(context.Background(), func(tx store.Tx) error {
				m, err := tx.Message(res.ID)
				if err != nil {
					return err
				}
				got := ""
				if !m.Date.IsZero() {
					got = m.Date.UTC().Format(time.RFC3339)
				}
				if got != tt.want {
					t.Errorf("%s: date %q, want %q (received %s)", it.Origin, got, tt.want, m.ReceivedAt.Format(time.RFC3339))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
