package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// packTestStore opens a store for an import (raw mail in packs) in a new
// directory, with ann and a thread.
func packTestStore(t *testing.T, opt Options) (db *DB, path string, owner, thread int64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "smartbcc.db")
	opt.RawPacks = true
	db = openTestAt(t, path, opt)
	owner, thread = seedAnnIDs(t, db)
	return db, path, owner, thread
}

// rawMessage is a message whose raw bytes are body repeated to size n.
func rawMessage(owner, thread int64, msgID, body string, n int) *store.Message {
	m := message(owner, thread, msgID, "packed")
	head := "Message-ID: <" + msgID + ">\r\nSubject: packed\r\n\r\n"
	m.Raw = []byte(head + strings.Repeat(body, max(1, (n-len(head))/len(body)+1))[:max(0, n-len(head))])
	return m
}

func insertAll(t *testing.T, db *DB, msgs ...*store.Message) {
	t.Helper()
	update(t, db, func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
}

type rawRef struct {
	pack, off, n sql.NullInt64
	inline       int
}

func rawRefOf(t *testing.T, db *DB, id int64) rawRef {
	t.Helper()
	var r rawRef
	if err := db.reader.QueryRow(`SELECT pack, off, len, length(raw) FROM message_raw WHERE message_id = ?`, id).
		Scan(&r.pack, &r.off, &r.n, &r.inline); err != nil {
		t.Fatalf("message_raw of %d: %v", id, err)
	}
	return r
}

func wantRaw(t *testing.T, db *DB, m *store.Message) {
	t.Helper()
	view(t, db, func(tx store.Tx) error {
		got, err := tx.MessageRaw(m.ID)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, m.Raw) {
			t.Errorf("MessageRaw(%d) = %d bytes %.40q..., want %d bytes %.40q...", m.ID, len(got), got, len(m.Raw), m.Raw)
		}
		return nil
	})
}

// wantNextAt inserts one more message and checks that it goes into pack 1
// at off, just after the committed mail, and that kept still reads back.
func wantNextAt(t *testing.T, db *DB, owner, thread int64, kept *store.Message, off int64) {
	t.Helper()
	again := rawMessage(owner, thread, "again@x", "again ", 100)
	insertAll(t, db, again)
	if r := rawRefOf(t, db, again.ID); r.pack.Int64 != 1 || r.off.Int64 != off {
		t.Errorf("next message in pack %d at %d, want 1 at %d", r.pack.Int64, r.off.Int64, off)
	}
	wantRaw(t, db, kept)
	wantRaw(t, db, again)
}

func packPath(dbPath string, n int64) string { return filepath.Join(rawDir(dbPath), packName(n)) }

// wantPackSize checks that pack n of the store at path is want bytes long
// at the moment when says.
func wantPackSize(t *testing.T, path string, n, want int64, when string) {
	t.Helper()
	if got := fileSize(t, packPath(path, n)); got != want {
		t.Errorf("%s pack %d is %d bytes, want %d", when, n, got, want)
	}
}

func fileSize(t *testing.T, name string) int64 {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Raw mail stored inline (a delivery) and in a pack (an import) in the
// same store reads back byte for byte, through a store opened either way
// and read-only, and passes the check.
func TestRawPacksRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smartbcc.db")
	db := openTestAt(t, path, Options{})
	owner, thread := seedAnnIDs(t, db)
	inline := rawMessage(owner, thread, "inline@x", "delivered ", 3000)
	insertAll(t, db, inline)
	db.Close()

	db = openTestAt(t, path, Options{RawPacks: true, Synchronous: "NORMAL"})
	small := rawMessage(owner, thread, "small@x", "imported ", 5000)
	big := rawMessage(owner, thread, "big@x", "large import ", 2*rawPiece+12345) // more than one inline piece
	empty := message(owner, thread, "empty@x", "empty")
	empty.Raw = []byte{}
	insertAll(t, db, small, big, empty)

	for _, m := range []*store.Message{inline, small, big, empty} {
		wantRaw(t, db, m)
	}
	if r := rawRefOf(t, db, inline.ID); r.pack.Valid || r.inline != len(inline.Raw) {
		t.Errorf("delivered message: %+v, want inline", r)
	}
	if r := rawRefOf(t, db, empty.ID); r.pack.Valid {
		t.Errorf("empty message: %+v, want inline (nothing to pack)", r)
	}
	var end int64
	for _, m := range []*store.Message{small, big} {
		r := rawRefOf(t, db, m.ID)
		if !r.pack.Valid || r.pack.Int64 != 1 || r.off.Int64 != end || r.n.Int64 != int64(len(m.Raw)) || r.inline != 0 {
			t.Errorf("imported message %d: %+v, want pack 1 at %d, %d bytes, none inline", m.ID, r, end, len(m.Raw))
		}
		end += int64(len(m.Raw))
	}
	var more int
	db.reader.QueryRow(`SELECT count(*) FROM message_raw_more`).Scan(&more)
	if more != 0 {
		t.Errorf("%d rows in message_raw_more, want 0 (the big message is packed)", more)
	}
	wantPackSize(t, path, 1, end, "after the import")
	if err := db.Check(ctxb); err != nil {
		t.Errorf("Check: %v", err)
	}
	db.Close()

	for _, opt := range []Options{{}, {ReadOnly: true}} {
		db = openTestAt(t, path, opt)
		for _, m := range []*store.Message{inline, small, big, empty} {
			wantRaw(t, db, m)
		}
		db.Close()
	}
}

// A pack is started afresh at the size limit; a message is never split.
func TestRawPacksRotate(t *testing.T) {
	defer func(old int64) { rawPackLimit = old }(rawPackLimit)
	rawPackLimit = 250
	db, path, owner, thread := packTestStore(t, Options{})
	a := rawMessage(owner, thread, "a@x", "aaaa", 200)
	b := rawMessage(owner, thread, "b@x", "bbbb", 200)
	c := rawMessage(owner, thread, "c@x", "cccc", 400) // larger than a pack: a pack of its own
	d := rawMessage(owner, thread, "d@x", "dddd", 40)
	insertAll(t, db, a, b)
	insertAll(t, db, c, d)
	want := map[*store.Message][2]int64{a: {1, 0}, b: {2, 0}, c: {3, 0}, d: {4, 0}}
	for m, w := range want {
		r := rawRefOf(t, db, m.ID)
		if r.pack.Int64 != w[0] || r.off.Int64 != w[1] {
			t.Errorf("message %s in pack %d at %d, want %d at %d", m.MessageID, r.pack.Int64, r.off.Int64, w[0], w[1])
		}
		wantRaw(t, db, m)
	}
	e := rawMessage(owner, thread, "e@x", "eeee", 40) // fits after d
	insertAll(t, db, e)
	if r := rawRefOf(t, db, e.ID); r.pack.Int64 != 4 || r.off.Int64 != 40 {
		t.Errorf("message e in pack %d at %d, want 4 at 40", r.pack.Int64, r.off.Int64)
	}
	if err := db.Check(ctxb); err != nil {
		t.Errorf("Check: %v", err)
	}
	wantPackSize(t, path, 3, 400, "after the rotations")
}

// A transaction that fails takes its bytes out of the pack before it
// releases the lock, across a rotation too.
func TestRawPacksRollbackTruncates(t *testing.T) {
	defer func(old int64) { rawPackLimit = old }(rawPackLimit)
	rawPackLimit = 1000
	db, path, owner, thread := packTestStore(t, Options{})
	kept := rawMessage(owner, thread, "kept@x", "kept ", 700)
	insertAll(t, db, kept)

	failing := errors.New("the caller gave up")
	err := db.Update(ctxb, func(tx store.Tx) error {
		for i, n := range []int{200, 600} { // the second goes to pack 2
			if err := tx.InsertMessage(rawMessage(owner, thread, fmt.Sprintf("lost%d@x", i), "lost ", n)); err != nil {
				return err
			}
		}
		// The bytes are written beside the transaction: wait for them.
		if err := tx.(*Tx).flushAppends(); err != nil {
			return err
		}
		wantPackSize(t, path, 1, 900, "inside the transaction")
		return failing
	})
	if !errors.Is(err, failing) {
		t.Fatalf("Update = %v, want the caller's error", err)
	}
	wantPackSize(t, path, 1, 700, "after the rollback")
	wantPackSize(t, path, 2, 0, "after the rollback")
	wantNextAt(t, db, owner, thread, kept, 700)
}

// A savepoint that is rolled back takes its bytes out of the packs, across
// a rotation too, and the transaction goes on appending where the
// savepoint started; its own bytes before the savepoint stay.
func TestRawPacksSavepointTruncates(t *testing.T) {
	defer func(old int64) { rawPackLimit = old }(rawPackLimit)
	rawPackLimit = 1000
	db, path, owner, thread := packTestStore(t, Options{})
	kept := rawMessage(owner, thread, "kept@x", "kept ", 500)
	insertAll(t, db, kept)

	failing := errors.New("one bad message")
	before := rawMessage(owner, thread, "before@x", "before ", 100)
	after := rawMessage(owner, thread, "after@x", "after ", 300)
	update(t, db, func(tx store.Tx) error {
		if err := tx.InsertMessage(before); err != nil {
			return err
		}
		err := tx.(*Tx).Within(func() error {
			for i, n := range []int{300, 600} { // the second goes to pack 2
				if err := tx.InsertMessage(rawMessage(owner, thread, fmt.Sprintf("lost%d@x", i), "lost ", n)); err != nil {
					return err
				}
			}
			if err := tx.(*Tx).flushAppends(); err != nil {
				return err
			}
			wantPackSize(t, path, 2, 600, "inside the savepoint")
			return failing
		})
		if !errors.Is(err, failing) {
			t.Errorf("Within = %v, want the function's error", err)
		}
		wantPackSize(t, path, 1, 600, "after the savepoint's rollback")
		wantPackSize(t, path, 2, 0, "after the savepoint's rollback")
		return tx.InsertMessage(after)
	})
	if r := rawRefOf(t, db, after.ID); r.pack.Int64 != 1 || r.off.Int64 != 600 {
		t.Errorf("the message after the savepoint in pack %d at %d, want 1 at 600", r.pack.Int64, r.off.Int64)
	}
	for _, m := range []*store.Message{kept, before, after} {
		wantRaw(t, db, m)
	}
	if err := db.Check(ctxb); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// A transaction reads back the raw mail it has just appended, though the
// bytes are written beside it (packappend.go).
func TestRawPacksReadOwnAppend(t *testing.T) {
	db, _, owner, thread := packTestStore(t, Options{})
	msgs := []*store.Message{
		rawMessage(owner, thread, "one@x", "one ", 3000),
		rawMessage(owner, thread, "two@x", "two ", rawPiece+10),
	}
	update(t, db, func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
			got, err := tx.MessageRaw(m.ID)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, m.Raw) {
				t.Errorf("MessageRaw(%d) in its own transaction = %d bytes %.40q..., want %d bytes", m.ID, len(got), got, len(m.Raw))
			}
		}
		return nil
	})
	for _, m := range msgs {
		wantRaw(t, db, m)
	}
}

// A pack that cannot be written fails the transaction that appended to it,
// at its commit, as unavailable storage: no message of it is stored, and
// the next transaction appends where the committed mail ends.
func TestRawPacksWriteErrorFails(t *testing.T) {
	db, path, owner, thread := packTestStore(t, Options{})
	kept := rawMessage(owner, thread, "kept@x", "kept ", 700)
	insertAll(t, db, kept)

	// Swap the writer's handle of pack 1 for a read-only one.
	db.packs.mu.Lock()
	rw := db.packs.files[1]
	ro, err := os.Open(packPath(path, 1))
	if err != nil {
		t.Fatal(err)
	}
	db.packs.files[1] = ro
	db.packs.mu.Unlock()

	lost := rawMessage(owner, thread, "lost@x", "lost ", 300)
	err = db.Update(ctxb, func(tx store.Tx) error { return tx.InsertMessage(lost) })
	if code := store.ErrorCode(err); code != store.EUnavailable || !strings.Contains(fmt.Sprint(err), "cannot write raw mail pack") {
		t.Fatalf("Update with an unwritable pack = %v (%s), want %s: cannot write raw mail pack", err, code, store.EUnavailable)
	}
	var n int
	db.reader.QueryRow(`SELECT count(*) FROM messages WHERE message_id = 'lost@x'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d messages lost@x stored, want 0", n)
	}

	db.packs.mu.Lock()
	db.packs.files[1] = rw
	db.packs.mu.Unlock()
	ro.Close()
	wantNextAt(t, db, owner, thread, kept, 700)
}

// Bytes a crash left past the committed end are cut off by the next
// append, which goes where the committed references end; a pack shorter
// than its references is refused, not appended to.
func TestRawPacksCrashJunkCut(t *testing.T) {
	db, path, owner, thread := packTestStore(t, Options{})
	first := rawMessage(owner, thread, "first@x", "first ", 500)
	insertAll(t, db, first)
	db.Close()

	// A crashed import: its bytes were written, its COMMIT never happened.
	f, err := os.OpenFile(packPath(path, 1), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte("JUNK-OF-A-CRASHED-IMPORT "), 40)
	f.Write(junk)
	f.Close()

	db = openTestAt(t, path, Options{RawPacks: true})
	next := rawMessage(owner, thread, "next@x", "next ", 300)
	insertAll(t, db, next)
	if r := rawRefOf(t, db, next.ID); r.pack.Int64 != 1 || r.off.Int64 != 500 {
		t.Errorf("next message in pack %d at %d, want 1 at 500 (over the junk)", r.pack.Int64, r.off.Int64)
	}
	data, err := os.ReadFile(packPath(path, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 800 || bytes.Contains(data, []byte("JUNK")) {
		t.Errorf("pack is %d bytes (want 800), junk left: %v", len(data), bytes.Contains(data, []byte("JUNK")))
	}
	wantRaw(t, db, first)
	wantRaw(t, db, next)

	// Raw mail lost from the pack: refuse to append, and say so.
	if err := os.Truncate(packPath(path, 1), 600); err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctxb, func(tx store.Tx) error {
		return tx.InsertMessage(rawMessage(owner, thread, "after@x", "after ", 100))
	})
	if err == nil || !strings.Contains(err.Error(), "raw mail is missing") {
		t.Errorf("append to a pack shorter than its references: %v, want a refusal", err)
	}
	wantPackSize(t, path, 1, 600, "after the refusal (untouched)")
	if err := db.Check(ctxb); err == nil || !strings.Contains(err.Error(), "000001.pack") {
		t.Errorf("Check of a short pack: %v", err)
	}
}

// execSQL runs statements in one write transaction of db.
func execSQL(t *testing.T, db *DB, stmts ...string) {
	t.Helper()
	update(t, db, func(stx store.Tx) error {
		for _, s := range stmts {
			if _, err := stx.(*Tx).exec(s); err != nil {
				return err
			}
		}
		return nil
	})
}

// Deleting a message, directly or through a cascade, erases its raw
// bytes from the pack (a hole where the file system punches one), and
// leaves its neighbours' alone; a deletion by another program (the sqlite3
// shell) is erased when the store is next written or opened, and an
// append meanwhile goes past the range still to be erased.
func TestRawPacksDeleteErases(t *testing.T) {
	db, path, owner, thread := packTestStore(t, Options{})
	var msgs []*store.Message
	for i := range 5 {
		msgs = append(msgs, rawMessage(owner, thread, fmt.Sprintf("m%d@x", i), fmt.Sprintf("SECRET-%d ", i), 20000))
	}
	insertAll(t, db, msgs...)
	contains := func(i int) bool {
		data, err := os.ReadFile(packPath(path, 1))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(data, []byte(fmt.Sprintf("SECRET-%d", i)))
	}
	freed := func() int {
		var n int
		db.reader.QueryRow(`SELECT count(*) FROM raw_pack_freed`).Scan(&n)
		return n
	}

	// Through the cascade from messages.
	execSQL(t, db, fmt.Sprintf(`DELETE FROM messages WHERE id = %d`, msgs[1].ID))
	// The row of message_raw itself.
	execSQL(t, db, fmt.Sprintf(`DELETE FROM message_raw WHERE message_id = %d`, msgs[3].ID),
		fmt.Sprintf(`DELETE FROM messages WHERE id = %d`, msgs[3].ID))
	for i, want := range []bool{true, false, true, false, true} {
		if got := contains(i); got != want {
			t.Errorf("after the deletes, pack holds message %d's bytes: %v, want %v", i, got, want)
		}
	}
	if n := freed(); n != 0 {
		t.Errorf("%d freed ranges left after erasing, want 0", n)
	}
	for _, i := range []int{0, 2, 4} {
		wantRaw(t, db, msgs[i])
	}

	// Another program deletes the last message: its range is recorded,
	// not yet erased.
	other, err := sql.Open("sqlite3", dsn(path, url.Values{"_foreign_keys": {"on"}, "_busy_timeout": {"5000"}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`DELETE FROM messages WHERE id = ?`, msgs[4].ID); err != nil {
		t.Fatal(err)
	}
	other.Close()
	if !contains(4) || freed() != 1 {
		t.Fatalf("before the next write: bytes there %v, %d freed ranges; want true, 1", contains(4), freed())
	}
	// The next append does not go over the range to be erased.
	next := rawMessage(owner, thread, "next@x", "NEXT ", 1000)
	insertAll(t, db, next)
	if r := rawRefOf(t, db, next.ID); r.off.Int64 != 5*20000 {
		t.Errorf("next message at %d, want 100000 (past the deleted range)", r.off.Int64)
	}
	if contains(4) || freed() != 0 {
		t.Errorf("after the next write: bytes there %v, %d freed ranges; want false, 0", contains(4), freed())
	}
	wantRaw(t, db, next)

	// Deleted by another program while no smartbcc runs: erased on open.
	db.Close()
	other, _ = sql.Open("sqlite3", dsn(path, url.Values{"_foreign_keys": {"on"}}))
	if _, err := other.Exec(`DELETE FROM messages WHERE id = ?`, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	other.Close()
	if !contains(0) {
		t.Fatal("message 0's bytes gone before the store was opened")
	}
	db = openTestAt(t, path, Options{})
	if contains(0) {
		t.Error("message 0's bytes still in the pack after opening the store")
	}
	wantRaw(t, db, msgs[2])
	wantRaw(t, db, next)
	if err := db.Check(ctxb); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// A dump (what `smartbcc migrate` copies) of packed raw mail is the dump
// of the same mail stored inline: first piece, then the rest in order.
func TestRawPacksDump(t *testing.T) {
	dumpRaw := func(opt Options) string {
		path := filepath.Join(t.TempDir(), "s.db")
		db := openTestAt(t, path, opt)
		owner, thread := seedAnnIDs(t, db)
		insertAll(t, db,
			rawMessage(owner, thread, "a@x", "first ", 1000),
			rawMessage(owner, thread, "b@x", "second ", 2*rawPiece+77),
			rawMessage(owner, thread, "c@x", "third ", rawPiece),
			rawMessage(owner, thread, "d@x", "fourth ", rawPiece+1))
		var out strings.Builder
		err := db.Dump(ctxb, func(tb *store.Table, row []any) error {
			if tb.Name != "message_raw" && tb.Name != "message_raw_more" {
				return nil
			}
			fmt.Fprintf(&out, "%s", tb.Name)
			for _, v := range row {
				if b, ok := v.([]byte); ok {
					fmt.Fprintf(&out, " %d:%x", len(b), b[:min(len(b), 8)])
					if len(b) > 8 {
						fmt.Fprintf(&out, "..%x", b[len(b)-8:])
					}
					continue
				}
				fmt.Fprintf(&out, " %v", v)
			}
			out.WriteString("\n")
			return nil
		})
		if err != nil {
			t.Fatalf("Dump: %v", err)
		}
		return out.String()
	}
	inline := dumpRaw(Options{})
	packed := dumpRaw(Options{RawPacks: true})
	if packed != inline {
		t.Errorf("dump of packed raw mail:\n%s\nwant (inline):\n%s", packed, inline)
	}
	if n := strings.Count(inline, "message_raw_more"); n != 3 {
		t.Errorf("%d rows of message_raw_more, want 3:\n%s", n, inline)
	}
}

// Check finds a pack file gone, and references that overlap.
func TestRawPacksCheck(t *testing.T) {
	db, path, owner, thread := packTestStore(t, Options{})
	a := rawMessage(owner, thread, "a@x", "a ", 300)
	b := rawMessage(owner, thread, "b@x", "b ", 300)
	insertAll(t, db, a, b)
	if err := db.Check(ctxb); err != nil {
		t.Fatalf("Check: %v", err)
	}
	execSQL(t, db, fmt.Sprintf(`UPDATE message_raw SET off = 100 WHERE message_id = %d`, b.ID))
	if err := db.Check(ctxb); err == nil || !strings.Contains(err.Error(), "lag(") {
		t.Errorf("Check of overlapping references: %v", err)
	}
	execSQL(t, db, fmt.Sprintf(`UPDATE message_raw SET off = 300 WHERE message_id = %d`, b.ID))
	if err := os.Rename(rawDir(path), rawDir(path)+".away"); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctxb); err == nil || !strings.Contains(err.Error(), "000001.pack") {
		t.Errorf("Check without the pack: %v", err)
	}
}

// The pack directory and files, and the -writers lock file, get the
// store's mode whatever the umask: 0700 and 0600 by default, 0750 and
// 0640 for a store made 0640.
func TestRawPacksFileMode(t *testing.T) {
	old := setUmask(0o077)
	defer setUmask(old)
	for _, c := range []struct {
		mode          os.FileMode
		dirWant, want os.FileMode
	}{{0, 0o700, 0o600}, {0o640, 0o750, 0o640}} {
		db, path, owner, thread := packTestStore(t, Options{FileMode: c.mode})
		insertAll(t, db, rawMessage(owner, thread, "a@x", "a ", 300))
		if fi, err := os.Stat(rawDir(path)); err != nil || fi.Mode().Perm() != c.dirWant || !fi.IsDir() {
			t.Errorf("store mode %o: %s: %v, %v; want a directory %o", c.mode, rawDir(path), fi.Mode(), err, c.dirWant)
		}
		if fi, err := os.Stat(packPath(path, 1)); err != nil || fi.Mode().Perm() != c.want {
			t.Errorf("store mode %o: pack: %v, %v; want %o", c.mode, fi.Mode(), err, c.want)
		}
		if fi, err := os.Stat(path + "-writers"); err != nil || fi.Mode().Perm() != c.want {
			t.Errorf("store mode %o: -writers: %v, %v; want %o", c.mode, fi.Mode(), err, c.want)
		}
	}
}

// Without RawPacks (deliveries, the server) nothing goes to a pack.
func TestRawPacksOnlyForImports(t *testing.T) {
	db := openTest(t)
	owner, thread := seedAnnIDs(t, db)
	m := rawMessage(owner, thread, "a@x", "a ", 300)
	insertAll(t, db, m)
	if r := rawRefOf(t, db, m.ID); r.pack.Valid || r.inline != 300 {
		t.Errorf("delivery: %+v, want inline", r)
	}
	if _, err := os.Stat(rawDir(db.path)); err == nil {
		t.Errorf("%s exists after a delivery", rawDir(db.path))
	}
	if _, err := os.Stat(db.path + "-writers"); err == nil {
		t.Errorf("%s-writers exists after a delivery", db.path)
	}
}

// Where holes cannot be punched, the range is overwritten with zeros,
// and nothing around it.
func TestRawPacksWriteZeros(t *testing.T) {
	name := filepath.Join(t.TempDir(), "p")
	data := bytes.Repeat([]byte("x"), 3<<20)
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := writeZeros(f, 10, 2<<20+5); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(name)
	want := append(append(bytes.Repeat([]byte("x"), 10), make([]byte, 2<<20+5)...), bytes.Repeat([]byte("x"), len(data)-10-(2<<20+5))...)
	if !bytes.Equal(got, want) {
		t.Errorf("after writeZeros the file differs (len %d, want %d)", len(got), len(want))
	}
}
