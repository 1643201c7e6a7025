package sqlite

import (
	"strings"
	"testing"
)

func TestCheckFindsHalfWrittenMessages(t *testing.T) {
	f := newFixture(t)
	f.insert(t, message(f.ann.ID, f.thread.ID, "c1@x", "check"))
	if err := Check(ctxb, f.db.reader); err != nil {
		t.Fatalf("a consistent store fails the check: %v", err)
	}
	// A message whose raw bytes are gone, as a broken delivery would leave.
	if _, err := f.db.writer.Exec(`DELETE FROM message_raw`); err != nil {
		t.Fatal(err)
	}
	if err := Check(ctxb, f.db.reader); err == nil || !strings.Contains(err.Error(), "message_raw") {
		t.Fatalf("check of a message without raw bytes: %v", err)
	}
}
