package ingest_test

// Hostile and broken input through the ingest package API. Every case must
// end in a recorded outcome (stored, duplicate, quarantined or rejected
// with a reason), never a panic nor an error, within a generous deadline
// that only catches hangs, and within a generous memory bound. Nothing here
// asserts speed; the measured time and memory are logged.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/search"
	"github.com/smartbcc/smartbcc/store/storetest"
)

const (
	universalAddr = "acme@bcc.acme.example"
	userAddr      = "ann@acme.example"
)

// harness is a store with a company, one user (auto-link on), a person and
// a deal, and two ingesters on it: pipe (Postfix delivery to the universal
// address, --auth off) and import (--user ann --auth off).
type harness struct {
	dsn       string
	db        store.Store
	pipe, imp *ingest.Ingester
	dealAddr  string
}

func newHarness(tb testing.TB, synchronous string) *harness {
	tb.Helper()
	ctx := context.Background()
	db, dsn := storetest.Open(tb, backend.Options{Synchronous: synchronous})
	tok, err := bccaddr.NewToken()
	if err != nil {
		tb.Fatal(err)
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		u, err := tx.CreateUser(userAddr, "Ann Seller")
		if err != nil {
			return err
		}
		if err := tx.UpdateSettings(u.ID, store.Settings{AutoLink: true}); err != nil {
			return err
		}
		p := &store.Person{Name: "Bob Buyer", Emails: []string{"bob@customer.example"}}
		if err := tx.CreatePerson(p); err != nil {
			return err
		}
		return tx.CreateItem(&store.Item{Kind: store.KindDeal, Title: "Widgets", PersonID: p.ID, Token: tok})
	})
	if err != nil {
		tb.Fatal(err)
	}
	h := &harness{dsn: dsn, db: db, dealAddr: bccaddr.Address("acme", "bcc.acme.example", bccaddr.Target{Kind: bccaddr.Deal, Token: tok})}
	h.pipe = ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourcePipe})
	h.imp = ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: userAddr})
	return h
}

// pipeDelivery is raw as Postfix hands it to the universal address.
func pipeDelivery(raw []byte) ingest.Delivery {
	return ingest.Delivery{Raw: raw, Envelope: store.Envelope{Sender: userAddr, Recipients: []string{universalAddr},
		ClientIP: "192.0.2.10", Helo: "mail.acme.example"}, Origin: "stdin", Size: int64(len(raw))}
}

var validStatus = map[string]bool{
	ingest.StatusStored: true, ingest.StatusDuplicate: true, ingest.StatusRejected: true,
	ingest.StatusQuarantined: true, ingest.StatusConfirmed: true,
}

// checkOutcome fails unless r is a recorded outcome.
func checkOutcome(tb testing.TB, r ingest.Result, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("no recorded outcome: error %v (an internal error here is a recovered panic)", err)
	}
	if !validStatus[r.Status] {
		tb.Fatalf("no recorded outcome: status %q (%+v)", r.Status, r)
	}
	switch r.Status {
	case ingest.StatusRejected:
		if r.Reason == "" || r.Code == "" {
			tb.Fatalf("rejected without reason or code: %+v", r)
		}
	case ingest.StatusStored, ingest.StatusDuplicate:
		if r.ID == 0 || r.ThreadID == 0 {
			tb.Fatalf("%s without message or thread id: %+v", r.Status, r)
		}
	}
}

// heapPeak samples the live heap while fn runs and returns the peak
// growth over the heap before it, plus the bytes allocated.
func heapPeak(fn func()) (peak, allocated uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	base, alloc0 := sample[0].Value.Uint64(), sample[1].Value.Uint64()
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	metrics.Read(sample)
	if v := sample[0].Value.Uint64(); v > max.Load() {
		max.Store(v)
	}
	if max.Load() > base {
		peak = max.Load() - base
	}
	return peak, sample[1].Value.Uint64() - alloc0
}

// ingestBounded ingests d with a deadline that only catches hangs and
// reports the peak heap growth.
func ingestBounded(tb testing.TB, in *ingest.Ingester, d ingest.Delivery, deadline time.Duration) (ingest.Result, uint64, time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var r ingest.Result
	var err error
	done := make(chan struct{})
	start := time.Now()
	peak, _ := heapPeak(func() {
		go func() {
			defer close(done)
			r, err = in.Ingest(ctx, d)
		}()
		select {
		case <-done:
		case <-time.After(deadline + 10*time.Second):
			tb.Fatalf("ingest hung for more than %s", deadline+10*time.Second)
		}
	})
	el := time.Since(start)
	checkOutcome(tb, r, err)
	return r, peak, el
}

// sqlDB opens the store for checks under the interface.
func sqlDB(tb testing.TB, dsn string) *storetest.DB { return storetest.SQL(tb, dsn) }

// checkConsistent runs the store's consistency check (store.Checker).
func checkConsistent(tb testing.TB, db *storetest.DB) {
	tb.Helper()
	storetest.Check(tb, db.DSN())
}

// mail builds a message from ann (CRLF line ends). A field in headers
// replaces the default field of that name: RFC 5322 allows most of them
// once, and ingest refuses a second To or Subject.
func mail(id string, headers []string, body string) []byte {
	h := []string{"From: Ann Seller <ann@acme.example>", "To: Bob Buyer <bob@customer.example>",
		"Subject: Proposal", "Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <" + id + ">", "MIME-Version: 1.0"}
	for _, extra := range headers {
		name, _, _ := strings.Cut(extra, ":")
		h = slices.DeleteFunc(h, func(f string) bool { return strings.HasPrefix(strings.ToLower(f), strings.ToLower(name)+":") })
	}
	h = append(h, headers...)
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + body)
}

func textMail(id string, extra ...string) []byte {
	return mail(id, append([]string{"Content-Type: text/plain; charset=utf-8"}, extra...), "Hello Bob\r\n")
}

// b64 wraps base64 at 76 columns.
func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(s) + len(s)/76*2 + 2)
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// bigMessage is a message of about size bytes: a text part and a base64
// attachment of pseudo-random bytes.
func bigMessage(id string, size int) []byte {
	n := size * 3 / 4
	data := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	body := "--b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(data) + "--b--\r\n"
	return mail(id, []string{`Content-Type: multipart/mixed; boundary="b"`}, body)
}

// manyParts is a multipart/mixed message with n small attachments.
func manyParts(id string, n int) []byte {
	var b strings.Builder
	b.WriteString("--p\r\nContent-Type: text/plain\r\n\r\nMany files.\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--p\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"f%d.txt\"\r\n\r\npart %d\r\n", i, i)
	}
	b.WriteString("--p--\r\n")
	return mail(id, []string{`Content-Type: multipart/mixed; boundary="p"`}, b.String())
}

// nestedMultipart nests multipart/mixed depth levels deep.
func nestedMultipart(id string, depth int) []byte {
	var open, close strings.Builder
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&open, "--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&open, "--n%d\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n", depth-1)
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&close, "--n%d--\r\n", i)
	}
	return mail(id, []string{`Content-Type: multipart/mixed; boundary="n0"`}, open.String()+close.String())
}

// nestedRFC822 forwards a message inside a message depth times.
func nestedRFC822(id string, depth int) []byte {
	inner := "From: Bob Buyer <bob@customer.example>\r\nTo: ann@acme.example\r\nSubject: the original\r\nMessage-ID: <orig-" + id + ">\r\n\r\nthe original text\r\n"
	for i := 0; i < depth; i++ {
		inner = fmt.Sprintf("From: Fwd%d <fwd%d@customer.example>\r\nTo: x%d@customer.example\r\nSubject: Fwd: level %d\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: multipart/mixed; boundary=\"r%d\"\r\n\r\n--r%d\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n--r%d\r\n"+
			"Content-Type: message/rfc822\r\n\r\n%s\r\n--r%d--\r\n", i, i, i, i, i, i, i, inner, i)
	}
	return mail(id, []string{`Content-Type: multipart/mixed; boundary="top"`, "Subject: Fwd: deep"},
		"--top\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--top\r\nContent-Type: message/rfc822\r\n\r\n"+inner+"\r\n--top--\r\n")
}

// zipBomb is a message whose attachment is a gzip of n zero bytes.
func zipBomb(id string, n int) ([]byte, []byte) {
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for left := n; left > 0; left -= len(zeros) {
		if left < len(zeros) {
			zeros = zeros[:left]
		}
		w.Write(zeros)
	}
	w.Close()
	body := "--z\r\nContent-Type: text/plain\r\n\r\nthe log files\r\n--z\r\nContent-Type: application/gzip\r\n" +
		"Content-Disposition: attachment; filename=\"logs.tar.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(gz.Bytes()) + "--z--\r\n"
	return mail(id, []string{`Content-Type: multipart/mixed; boundary="z"`}, body), gz.Bytes()
}

func TestHostileInputAPI(t *testing.T) {
	h := newHarness(t, "NORMAL")
	longLine := strings.Repeat("a", 1<<20)
	type tc struct {
		name     string
		raw      []byte
		maxSize  int64
		want     string // required status, "" for any recorded outcome
		reason   string // required reason when rejected
		heapMax  uint64 // generous bound on the peak heap growth
		deadline time.Duration
	}
	cases := []tc{
		{name: "10000 MIME parts", raw: manyParts("parts@acme.example", 10000), heapMax: 512 << 20},
		{name: "multipart nested 1000 deep", raw: nestedMultipart("nest@acme.example", 1000), heapMax: 512 << 20},
		{name: "message/rfc822 nested 1000 deep", raw: nestedRFC822("rfc822nest@acme.example", 1000), heapMax: 1 << 30},
		{name: "1 MB header line", raw: textMail("longhdr@acme.example", "X-Long: "+longLine), heapMax: 256 << 20},
		{name: "1 MB subject", raw: textMail("longsubj@acme.example", "Subject: "+longLine), heapMax: 256 << 20},
		{name: "To with 5000 addresses", raw: mail("to5000@acme.example", []string{"Content-Type: text/plain", "To: " + addrList(5000)}, "x\r\n"), heapMax: 256 << 20},
		{name: "1 MB line without any line break", raw: []byte("From: ann@acme.example\r\nSubject: x\r\nX-A: " + longLine), heapMax: 256 << 20},
		{name: "NUL bytes in headers and body", raw: mail("nul@acme.example\x00x", []string{"Content-Type: text/plain", "X-Nul: a\x00b"},
			"body \x00 with \x00\x00 NULs\r\n"), heapMax: 64 << 20},
		{name: "NUL bytes everywhere", raw: bytes.Repeat([]byte("From: a\x00@acme.example\r\n\x00\r\n"), 1000), heapMax: 64 << 20},
		{name: "unknown charsets", raw: mail("charset@acme.example", []string{"Content-Type: text/plain; charset=x-no-such-charset",
			"Subject: =?x-bogus?q?hello?= =?utf-8?b?!!!notbase64?=", "X-Bad-UTF8: \xff\xfe\xc3\x28"}, "caf\xe9 \xff\xfe\r\n"), heapMax: 64 << 20},
		{name: "invalid base64", raw: mail("b64@acme.example", []string{`Content-Type: multipart/mixed; boundary="q"`},
			"--q\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!not base64 at all ====\r\n@@@\r\n"+
				"--q\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=====xx*&^\r\n--q--\r\n"),
			heapMax: 64 << 20},
		{name: "invalid quoted-printable", raw: mail("qp@acme.example", []string{"Content-Type: text/plain", "Content-Transfer-Encoding: quoted-printable"},
			"=ZZ=\r\n=0=\r\n=\r\n"), heapMax: 64 << 20},
		{name: "unterminated multipart", raw: mail("unterminated@acme.example", []string{`Content-Type: multipart/mixed; boundary="u"`},
			"--u\r\nContent-Type: text/plain\r\n\r\nno end"), heapMax: 64 << 20},
		{name: "boundary never appears", raw: mail("noboundary@acme.example", []string{`Content-Type: multipart/alternative; boundary="never"`},
			strings.Repeat("line\r\n", 10000)), heapMax: 64 << 20},
		{name: "header only, no body", raw: []byte("From: Ann <ann@acme.example>\r\nSubject: nothing\r\nMessage-ID: <nobody@acme.example>"), heapMax: 16 << 20},
		{name: "50 MB over the default 25 MB limit", raw: bigMessage("big@acme.example", 50<<20), want: ingest.StatusRejected, reason: "too_large", heapMax: 256 << 20},
	}
	if testing.Short() {
		cases = cases[:len(cases)-1]
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.deadline == 0 {
				c.deadline = 60 * time.Second
			}
			for _, mode := range []struct {
				name string
				in   *ingest.Ingester
			}{{"pipe", h.pipe}, {"import", h.imp}} {
				r, peak, el := ingestBounded(t, mode.in, pipeDelivery(c.raw), c.deadline)
				t.Logf("%s: %d bytes -> %s %s in %s, peak heap +%.1f MB", mode.name, len(c.raw), r.Status, r.Reason, el.Round(time.Millisecond), float64(peak)/1e6)
				if c.want != "" && r.Status != c.want {
					t.Fatalf("%s: status %s (%s), want %s", mode.name, r.Status, r.Reason, c.want)
				}
				if c.reason != "" && r.Reason != c.reason {
					t.Fatalf("%s: reason %q, want %q", mode.name, r.Reason, c.reason)
				}
				if peak > c.heapMax {
					t.Fatalf("%s: peak heap grew by %d bytes, over the generous bound %d", mode.name, peak, c.heapMax)
				}
			}
		})
	}
	checkConsistent(t, sqlDB(t, h.dsn))
}

// The 10,000 parts are not all kept: the parser's part limit holds.
func TestHostileManyPartsBounded(t *testing.T) {
	h := newHarness(t, "NORMAL")
	r, _, _ := ingestBounded(t, h.pipe, pipeDelivery(manyParts("parts2@acme.example", 10000)), time.Minute)
	if r.Status != ingest.StatusStored {
		t.Fatalf("status %s %s", r.Status, r.Reason)
	}
	var n int
	if err := sqlDB(t, h.dsn).QueryRow(`SELECT count(*) FROM attachments WHERE message_id = ?`, r.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 1000 {
		t.Fatalf("%d attachments kept, over the 1000-part limit", n)
	}
	t.Logf("10000 parts: %d kept as attachments", n)
}

// Raising the size limit: a 50 MB message is stored, or refused with a
// reason; either way within bounds.
func TestHostile50MBWithRaisedLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB message: not in -short")
	}
	h := newHarness(t, "NORMAL")
	in := ingest.New(ingest.Options{Store: h.db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourcePipe, MaxSize: 64 << 20})
	raw := bigMessage("big50@acme.example", 50<<20)
	r, peak, el := ingestBounded(t, in, pipeDelivery(raw), 2*time.Minute)
	t.Logf("50 MB with --max-size 64 MB: %s %s in %s, peak heap +%.0f MB", r.Status, r.Reason, el.Round(time.Millisecond), float64(peak)/1e6)
	if peak > 2<<30 {
		t.Fatalf("peak heap grew by %d bytes", peak)
	}
	if r.Status == ingest.StatusStored {
		var size int64
		db := sqlDB(t, h.dsn)
		if err := db.QueryRow(`SELECT length(raw) + coalesce((SELECT sum(length(data)) FROM message_raw_more m WHERE m.message_id = r.message_id), 0)
			FROM message_raw r WHERE message_id = ?`, r.ID).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != int64(len(raw)) {
			t.Fatalf("stored %d raw bytes of %d", size, len(raw))
		}
		checkConsistent(t, db)
	}
}

// A zip-bomb-like attachment is kept as the compressed bytes it is: never
// decompressed, stored with its declared (decoded) size.
func TestHostileZipBombStoredCompressed(t *testing.T) {
	h := newHarness(t, "NORMAL")
	raw, gz := zipBomb("bomb@acme.example", 20<<20)
	r, peak, el := ingestBounded(t, h.pipe, pipeDelivery(raw), time.Minute)
	t.Logf("gzip of 20 MB zeros (%d bytes compressed, %d bytes of mail): %s in %s, peak heap +%.1f MB", len(gz), len(raw), r.Status, el, float64(peak)/1e6)
	if r.Status != ingest.StatusStored {
		t.Fatalf("status %s %s", r.Status, r.Reason)
	}
	if peak > 64<<20 {
		t.Fatalf("peak heap +%d bytes: was the attachment decompressed?", peak)
	}
	var size, clen, idx int64
	var sum, name string
	var stored []byte
	db := sqlDB(t, h.dsn)
	err := db.QueryRow(`SELECT a.size, coalesce(length(a.content), -1), a.sha256, a.name, a.idx, r.raw
		FROM attachments a JOIN message_raw r ON r.message_id = a.message_id
		WHERE a.message_id = ? AND a.content_type = 'application/gzip'`, r.ID).
		Scan(&size, &clen, &sum, &name, &idx, &stored) // the mail is under one stored piece
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(gz)
	// The content is kept once, inside the raw message, compressed.
	content, err := parse.AttachmentContent(stored, int(idx), parse.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(gz)) || clen != -1 || sum != hex.EncodeToString(want[:]) || name != "logs.tar.gz" || !bytes.Equal(content, gz) {
		t.Fatalf("attachment size %d, stored apart %d bytes, sha %s, name %q, %d bytes from raw; want %d compressed bytes kept only in the raw message",
			size, clen, sum, name, len(content), len(gz))
	}
}

// An mbox with no blank lines between messages (and none between header
// and body) still gives one recorded outcome per From_ line.
func TestHostileMboxWithoutBlankLines(t *testing.T) {
	h := newHarness(t, "NORMAL")
	var mbox strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&mbox, "From ann@acme.example Mon Nov  2 09:00:0%d 2026\nFrom: Ann <ann@acme.example>\nTo: bob@customer.example\nSubject: no blank %d\nMessage-ID: <noblank%d@acme.example>\nbody line %d\n", i, i, i, i)
	}
	r, err := mailfile.OpenReader(strings.NewReader(mbox.String()), "stdin", mailfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var results []ingest.Result
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := h.imp.Run(ctx, &itemSource{r: r}, ingest.RunOptions{OnResult: func(r ingest.Result) { results = append(results, r) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		checkOutcome(t, r, nil)
		t.Logf("%s: %s %s %s", r.Origin, r.Status, r.Reason, r.MessageID)
	}
	if len(results) != 5 || sum.Stored != 5 {
		t.Fatalf("%d results, %d stored; want 5 messages from 5 From_ lines: %+v", len(results), sum.Stored, sum)
	}
	checkConsistent(t, sqlDB(t, h.dsn))
}

type itemSource struct{ r mailfile.Reader }

func (s *itemSource) Next() (*ingest.Delivery, error) {
	it, err := s.r.Next()
	if err != nil {
		return nil, err
	}
	return ingest.ItemDelivery(it, store.Envelope{}), nil
}

func addrList(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "Person %d <p%d@c.example>", i, i)
	}
	return b.String()
}

// Display names that decode to CR/LF (encoded words) must never reach a
// stored participant or sender name: they would inject lines into what we
// print and export.
func TestHostileHeaderInjectionInNames(t *testing.T) {
	h := newHarness(t, "NORMAL")
	inj := "=?utf-8?q?Bob=0D=0ABcc:_victim@evil.example?="
	injB := "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte("Eve\r\nBcc: victim@evil.example\r\n")) + "?="
	attached := "From: " + inj + " <carol@customer.example>\r\nTo: " + injB + " <dave@customer.example>\r\nCc: =?utf-8?q?X=0AY?= <erin@customer.example>\r\n" +
		"Subject: the original\r\nMessage-ID: <injorig@customer.example>\r\nDate: Mon, 02 Nov 2026 08:00:00 +0000\r\n\r\noriginal text\r\n"
	cases := map[string][]byte{
		"direct": mail("inj1@acme.example", []string{"Content-Type: text/plain",
			"To: " + inj + " <bob@customer.example>, " + injB + " <eve@customer.example>",
			"Cc: \"=?utf-8?q?quoted=0D=0AX-Evil:_1?=\" <frank@customer.example>",
			"Reply-To: =?iso-8859-1?q?R=0Dply?= <reply@customer.example>"}, "hi\r\n"),
		"lenient list": mail("inj2@acme.example", []string{"Content-Type: text/plain",
			"To: " + inj + " <bob@customer.example>,, <<broken, " + injB + " <eve@customer.example>"}, "hi\r\n"),
		"forwarded as attachment": mail("inj3@acme.example", []string{`Content-Type: multipart/mixed; boundary="f"`, "Subject: Fwd: the original", "To: ann@acme.example"},
			"--f\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n"+attached+"\r\n--f--\r\n"),
	}
	db := sqlDB(t, h.dsn)
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			r, _, _ := ingestBounded(t, h.pipe, pipeDelivery(raw), time.Minute)
			if r.Status != ingest.StatusStored {
				t.Fatalf("status %s %s", r.Status, r.Reason)
			}
			rows, err := db.Query(`SELECT role, name, email FROM participants WHERE message_id = ? ORDER BY pos`, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var role, pname, email string
				if err := rows.Scan(&role, &pname, &email); err != nil {
					t.Fatal(err)
				}
				n++
				if strings.ContainsAny(pname, "\r\n") || strings.ContainsAny(email, "\r\n") {
					t.Errorf("participant %s name %q <%s> contains CR/LF", role, pname, email)
				}
			}
			var fromName string
			if err := db.QueryRow(`SELECT from_name FROM messages WHERE id = ?`, r.ID).Scan(&fromName); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(fromName, "\r\n") {
				t.Errorf("message from_name %q contains CR/LF", fromName)
			}
			if n == 0 {
				t.Fatal("no participants stored")
			}
		})
	}
}

// SQL and FTS metacharacters in every field are data, nothing else.
func TestHostileSQLMetacharacters(t *testing.T) {
	h := newHarness(t, "NORMAL")
	evil := []string{`'; DROP TABLE messages;--`, `" OR 1=1 --`, `\'; DELETE FROM users; --`, `%_*`, `NEAR(a b) AND NOT "x`, `subject:* ^OR`, `'); ATTACH DATABASE '/tmp/x' AS x;--`}
	for i, e := range evil {
		raw := mail(fmt.Sprintf("sql%d'\"--;@acme.example", i), []string{"Content-Type: text/plain",
			"Subject: " + e, "To: \"" + strings.ReplaceAll(e, `"`, `'`) + "\" <bob@customer.example>",
			"In-Reply-To: <'; DROP TABLE threads;--@x>", "References: <\"a\"@b> <'or'1'='1@c>"}, e+"\r\n"+e+"\r\n")
		r, _, _ := ingestBounded(t, h.pipe, pipeDelivery(raw), time.Minute)
		if r.Status != ingest.StatusStored {
			t.Fatalf("%q: status %s %s", e, r.Status, r.Reason)
		}
	}
	ctx := context.Background()
	for _, q := range append([]string{"Bob", "DROP", "proposal"}, evil...) {
		pq, err := search.Parse(q, search.Options{})
		if err != nil {
			// Only queries with no word at all (%_*) are refused, by the
			// query language itself.
			var qe *search.Error
			if !errors.As(err, &qe) || !strings.Contains(err.Error(), "nothing to search for") {
				t.Errorf("query %q: %v", q, err)
			}
			continue
		}
		var n int
		err = h.db.View(ctx, func(tx store.Tx) error {
			ms, err := tx.ListMessages(store.MessageQuery{Search: pq})
			n = len(ms)
			return err
		})
		// Each evil subject is found by searching for it, as text (the
		// one with NOT excludes itself, as it says).
		if err != nil || n == 0 && q != "proposal" && !strings.Contains(q, "NOT") {
			t.Errorf("search %q: %d results, %v", q, n, err)
		}
	}
	var n int
	db := sqlDB(t, h.dsn)
	if err := db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil || n != len(evil) {
		t.Fatalf("messages: %d %v, want %d", n, err, len(evil))
	}
	for _, table := range []string{"messages", "users", "threads", "participants"} {
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("table %s: %v", table, err)
		}
	}
	checkConsistent(t, db)
}

// A message with valid header fields and one malformed Content-Type (here
// in a part; "text/plain foo" at the top does the same) is a message:
// refusing it as not_a_message (RefusedData) makes the pipe exit 65, and
// Postfix bounces what should have been filed.
func TestHostileMalformedContentTypeIsStillAMessage(t *testing.T) {
	h := newHarness(t, "NORMAL")
	for i, raw := range [][]byte{
		mail("ct1@acme.example", []string{`Content-Type: multipart/mixed; boundary="p"`},
			"--p\r\nContent-Type: text/plain\r\n\r\nhi\r\n--p\r\nContent-Type: application/pdf foo\r\n\r\nxx\r\n--p--\r\n"),
		mail("ct2@acme.example", []string{"Content-Type: text/plain foo"}, "hi\r\n"),
	} {
		r, _, _ := ingestBounded(t, h.pipe, pipeDelivery(raw), time.Minute)
		if r.Refused == ingest.RefusedData || r.Reason == "not_a_message" {
			t.Errorf("message %d: %s %s (Refused %q, Message-ID %q): a message with From, To, Subject and Message-ID is refused as not a message",
				i+1, r.Status, r.Reason, r.Refused, r.MessageID)
		}
	}
}

// A Cc header of 40,000 addresses (one 1.2 MB line) must end in an outcome.
// Today the store builds "IN (?, ?, ...)" with one variable per address,
// SQLite refuses more than 32766 ("too many SQL variables"), and the error
// comes back as a failure: in pipe mode that is exit 75 for ever, so
// Postfix retries the message until it expires.
func TestHostileTooManyAddresses(t *testing.T) {
	h := newHarness(t, "NORMAL")
	raw := mail("manycc@acme.example", []string{"Content-Type: text/plain", "Cc: " + addrList(40000)}, "many\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := h.pipe.Ingest(ctx, pipeDelivery(raw))
	if err != nil {
		t.Fatalf("error %v (temporary: %v); want stored or rejected with a reason", err, ingest.IsTemporary(err))
	}
	checkOutcome(t, r, nil)
}

// pipeStored delivers raw through the pipe and returns its result and the
// message stored; anything but stored fails the test.
func (h *harness) pipeStored(t *testing.T, raw string) (ingest.Result, *store.Message) {
	t.Helper()
	r, err := h.pipe.Ingest(context.Background(), pipeDelivery([]byte(raw)))
	if err != nil || r.Status != ingest.StatusStored {
		t.Fatalf("%+v %v", r, err)
	}
	var m *store.Message
	if err := h.db.View(context.Background(), func(tx store.Tx) error {
		m, err = tx.Message(r.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return r, m
}
