package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkLink500 measures what issue 15 asks: the 500 hits of a search
// linked to a new deal in one command, against the same 500 messages
// linked by 500 single commands, each in the same run on a fresh copy of
// the same store. It reports both times and their ratio (single/bulk).
// The single calls run in-process (store opened and closed per call, as a
// process would, but without process start), so the ratio is a lower
// bound of what a shell loop of `smartbcc link ID --deal N` gets.
//
//	go test -run '^$' -bench Link500 -benchtime 3x ./commands/
func BenchmarkLink500(b *testing.B) {
	const n = 500
	dir := b.TempDir()
	template := filepath.Join(dir, "template.db")
	archive := writeOrders(b, dir, n)
	benchRun(b, template, "init", "--company", "Acme", "--domain", "bcc.acme.example")
	benchRun(b, template, "user", "add", "ann@acme.example", "--name", "Ann Seller")
	benchRun(b, template, "ingest", "--user", "ann@acme.example", "--auth", "off", archive)
	hits := benchIDs(b, template)
	if len(hits) != n {
		b.Fatalf("the search finds %d messages, want %d", len(hits), n)
	}

	var bulk, single time.Duration
	for i := 0; i < b.N; i++ {
		db := copyStore(b, template, filepath.Join(dir, fmt.Sprintf("bulk%d.db", i)))
		start := time.Now()
		out := benchRun(b, db, "link", "--query", "widgets", "--new-deal", "Widgets 2027")
		bulk += time.Since(start)
		if !strings.Contains(out, fmt.Sprintf("to %d messages", n)) {
			b.Fatalf("bulk link: %s", lastLine(out))
		}

		db = copyStore(b, template, filepath.Join(dir, fmt.Sprintf("single%d.db", i)))
		start = time.Now()
		benchRun(b, db, "deal", "add", "--title", "Widgets 2027")
		for _, id := range hits {
			benchRun(b, db, "link", id, "--deal", "1")
		}
		single += time.Since(start)
	}
	b.ReportMetric(float64(bulk.Milliseconds())/float64(b.N), "ms/bulk")
	b.ReportMetric(float64(single.Milliseconds())/float64(b.N), "ms/500-single")
	b.ReportMetric(float64(single)/float64(bulk), "single/bulk")
}

// writeOrders writes an mbox of 2n orders, one thread each: the even ones
// (order 0, 2, ...) are about widgets, the odd ones about gadgets, so that
// a search for "widgets" finds n of them.
func writeOrders(tb testing.TB, dir string, n int) string {
	tb.Helper()
	var mbox strings.Builder
	for i := 0; i < 2*n; i++ {
		topic := "widgets"
		if i%2 == 1 {
			topic = "gadgets"
		}
		fmt.Fprintf(&mbox, "From ann@acme.example Mon Nov  2 09:00:00 2026\nFrom: Ann Seller <ann@acme.example>\nTo: buyer%d@customer.example\n"+
			"Subject: Order %d\nMessage-ID: <o%d@acme.example>\nDate: Mon, 02 Nov 2026 09:%02d:%02d +0000\n\nAbout the %s, order %d.\n\n",
			i, i, i, (i/60)%60, i%60, topic, i)
	}
	archive := filepath.Join(dir, "archive.mbox")
	if err := os.WriteFile(archive, []byte(mbox.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return archive
}

// The week's bulk step, what BenchmarkLink500 times: the 500 hits of a
// search linked to a new deal in one command. Each hit is reported linked,
// each is in the deal afterwards, and no other message is.
func TestLink500Hits(t *testing.T) {
	const n = 500
	c := newCLI(t)
	c.setup()
	c.ok("ingest", "--user", "ann@acme.example", "--auth", "off", writeOrders(t, t.TempDir(), n))
	var all []messageEntry
	c.json(&all, "inbox", "--limit", "0")
	widgets := map[int64]bool{} // message id -> a widgets order
	for _, m := range all {
		var order int
		if _, err := fmt.Sscanf(string(m.Subject), "Order %d", &order); err != nil {
			t.Fatalf("message %d: subject %q", m.ID, m.Subject)
		}
		widgets[m.ID] = order%2 == 0
	}
	if len(all) != 2*n {
		t.Fatalf("stored %d messages, want %d", len(all), 2*n)
	}

	var res struct {
		Target   itemRef `json:"target"`
		Created  bool    `json:"created"`
		Messages []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"messages"`
	}
	c.json(&res, "link", "--query", "widgets", "--new-deal", "Widgets 2027")
	if !res.Created || res.Target.Kind != "deal" || res.Target.Title != "Widgets 2027" {
		t.Fatalf("target %+v created %v", res.Target, res.Created)
	}
	reported := map[int64]string{}
	for _, m := range res.Messages {
		reported[m.ID] = m.Status
	}
	for id, hit := range widgets {
		switch st, ok := reported[id]; {
		case hit && st != "linked":
			t.Errorf("message %d (widgets): reported %q, want linked", id, st)
		case !hit && ok:
			t.Errorf("message %d (gadgets): reported %q, want nothing", id, st)
		}
	}
	var linked []messageEntry
	c.json(&linked, "inbox", "--item", fmt.Sprintf("deal:%d", res.Target.ID), "--limit", "0")
	inDeal := map[int64]bool{}
	for _, m := range linked {
		inDeal[m.ID] = true
	}
	for id, hit := range widgets {
		if inDeal[id] != hit {
			t.Errorf("message %d: in the deal %v, a widgets order %v", id, inDeal[id], hit)
		}
	}
}

// benchIDs are the ids of the messages a search for widgets finds.
func benchIDs(b *testing.B, db string) []string {
	var hits []messageEntry
	if err := json.Unmarshal([]byte(benchRun(b, db, "--json", "search", "widgets", "--limit", "0")), &hits); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, itoa(h.ID))
	}
	return ids
}

func benchRun(b *testing.B, db string, args ...string) string {
	b.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--db", db}, args...),
		IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, nil)
	if code != 0 {
		b.Fatalf("smartbcc %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

func copyStore(b *testing.B, from, to string) string {
	b.Helper()
	copyStoreFiles(b, from, to)
	return to
}

// copyStoreFiles copies a closed SQLite store: the database file, its
// -wal file and its -raw directory of packed raw mail (what a backup of
// a store copies).
func copyStoreFiles(t testing.TB, from, to string) {
	t.Helper()
	copyFile := func(src, dst string) {
		in, err := os.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		if _, err := os.Stat(from + suffix); os.IsNotExist(err) && suffix != "" {
			continue
		}
		copyFile(from+suffix, to+suffix)
	}
	packs, err := os.ReadDir(from + "-raw")
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(to+"-raw", 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		copyFile(filepath.Join(from+"-raw", p.Name()), filepath.Join(to+"-raw", p.Name()))
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
