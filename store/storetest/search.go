package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

// The query language (package search) means the same on every backend:
// each case below is one part of docs/cli.md's "Query language".

var searchOpts = search.Options{Now: time.Date(2024, 3, 20, 12, 0, 0, 0, time.UTC), Location: time.UTC}

func parse(t testing.TB, q string) *search.Query {
	t.Helper()
	pq, err := search.Parse(q, searchOpts)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return pq
}

// searchFixture: messages covering each part of the query language.
type searchFixture struct {
	*fixture
	w, g, d, j, k, th, de int64 // message ids
}

func (s suite) newSearchFixture(t *testing.T) *searchFixture {
	f := &searchFixture{fixture: s.newFixture(t)}
	widgets := message(f.ann.ID, f.thread.ID, "w@x", "Quote for 200 widgets")
	widgets.TextBody = "Please find the price list attached. Delivery in March. Follow-up next week, Mr O'Brien."
	widgets.Shared = true
	widgets.Attachments = []store.Attachment{{Index: 0, Name: "prices.pdf", ContentType: "application/pdf", Size: 3, SHA256: "x", Content: []byte("pdf")}}
	gadgets := message(f.ann.ID, f.thread.ID, "g@x", "Gadgets")
	gadgets.TextBody = "The widget price went up; 200 gadgets are cheaper. We use C++ here."
	gadgets.Participants = []store.Participant{
		{Role: store.RoleFrom, Name: "Ann Seller", Email: "ann@acme.example"},
		{Role: store.RoleTo, Name: "Carol Crème", Email: "carol@supplier.example"},
	}
	gadgets.Date = testTime.AddDate(0, 0, 10)
	danMail := message(f.dan.ID, f.thread.ID, "d@x", "Internal note")
	danMail.TextBody = "widgets margin is confidential"
	danMail.Date = testTime.AddDate(0, 0, -10)
	ja := message(f.ann.ID, f.thread.ID, "j@x", "【お見積り】株式会社サンプル様 ご確認のお願い")
	ja.TextBody = "見積書を添付いたします。"
	ja.Date = testTime.AddDate(0, 0, 1)
	ko := message(f.ann.ID, f.thread.ID, "k@x", "견적서 요청드립니다")
	ko.TextBody = "关于报价单的问题"
	ko.Date = testTime.AddDate(0, 0, 2)
	th := message(f.ann.ID, f.thread.ID, "t@x", "ขอใบเสนอราคาสินค้า")
	th.TextBody = "ขอบคุณครับ"
	th.Date = testTime.AddDate(0, 0, 3)
	de := message(f.ann.ID, f.thread.ID, "de@x", "Lieferantenrechnung für März")
	de.TextBody = "Mit freundlichen Grüßen aus der Straße"
	de.Date = testTime.AddDate(0, 0, 4)
	f.insert(t, widgets, gadgets, danMail, ja, ko, th, de)
	f.w, f.g, f.d, f.j, f.k, f.th, f.de = widgets.ID, gadgets.ID, danMail.ID, ja.ID, ko.ID, th.ID, de.ID
	update(t, f.db, func(tx store.Tx) error {
		_, err := tx.AddLink(store.Link{MessageID: f.g, Kind: store.KindDeal, ItemID: f.deal.ID, How: store.HowManual})
		return err
	})
	return f
}

func (s suite) testSearch(t *testing.T) {
	f := s.newSearchFixture(t)
	w, g, d, j, k, th, de := f.w, f.g, f.d, f.j, f.k, f.th, f.de
	tests := []struct {
		q      string
		viewer int64
		want   []int64 // newest first
	}{
		{"widgets", 0, []int64{w, d}},
		{"WIDGETS", 0, []int64{w, d}},
		{"widget*", 0, []int64{g, w, d}},
		{`"200 widgets"`, 0, []int64{w}},
		{`"price list"`, 0, []int64{w}},
		{"price NOT list", 0, []int64{g}},
		{"price -list", 0, []int64{g}},
		{"-widgets", 0, []int64{g, de, th, k, j}},
		{"bob", 0, []int64{de, th, k, j, w, d}},                  // participant name
		{"bob@customer.example", 0, []int64{de, th, k, j, w, d}}, // address as typed
		{"carol@supplier.example", 0, []int64{g}},
		{"carol@supplier.example OR margin", 0, []int64{g, d}},
		{"(carol@supplier.example OR margin) -confidential", 0, []int64{g}},
		{"creme", 0, []int64{g}}, // diacritics folded
		{"Crème", 0, []int64{g}},
		{"subject:gadgets", 0, []int64{g}},
		{"subject:widgets", 0, []int64{w}}, // not d: in its body only
		{`subject:"200 widgets"`, 0, []int64{w}},
		{`body:"200 widgets"`, 0, []int64{}},
		{`body:"200 gadgets"`, 0, []int64{g}},
		{"from:ann to:carol", 0, []int64{g}},
		{"to:ann", 0, []int64{}},
		{`from:"ann seller" widgets`, 0, []int64{w, d}},
		{"deal:1", 0, []int64{g}},
		{"deal:1 OR margin", 0, []int64{g, d}},
		{"-deal:1 price", 0, []int64{w}},
		{"has:attachment", 0, []int64{w}},
		{"after:2024-03-05", 0, []int64{g, de}},
		{"before:2024-03-01", 0, []int64{d}},
		{"after:2024-03-02 before:2024-03-04", 0, []int64{k, j}},
		// Plain words people type.
		{"follow-up", 0, []int64{w}},
		{"o'brien", 0, []int64{w}},
		{"C++", 0, []int64{g}},
		{"re:", 0, []int64{}},
		{"unknown:thing", 0, []int64{}},
		// Japanese, Korean, Chinese, Thai: any part of a run.
		{"見積", 0, []int64{j}},
		{"株式会社サンプル", 0, []int64{j}},
		{"サンプル", 0, []int64{j}},
		{"見", 0, []int64{j}},
		{"様", 0, []int64{j}},
		{"subject:見積書", 0, []int64{}}, // 見積書 is in the body only
		{"body:見積書", 0, []int64{j}},
		{"견적", 0, []int64{k}},
		{"报价单", 0, []int64{k}},
		{"ใบเสนอราคา", 0, []int64{th}},
		{"สินค้า", 0, []int64{th}},
		// German: words, not compound parts; ß folds to ss.
		{"lieferantenrechnung", 0, []int64{de}},
		{"rechnung", 0, []int64{}},
		{"lieferanten*", 0, []int64{de}},
		{"strasse", 0, []int64{de}},
		{"grüssen", 0, []int64{de}},
		{"grüsse", 0, []int64{}}, // a word, not a prefix
		{"marz", 0, []int64{de}},
		// Visibility.
		{"widgets", f.ann.ID, []int64{w}},    // dan's private mail hidden
		{"widgets", f.dan.ID, []int64{w, d}}, // ann's shared mail visible
		{"zebra", 0, []int64{}},
	}
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range tests {
			q := store.MessageQuery{Search: parse(t, tc.q), Viewer: tc.viewer}
			got, err := tx.ListMessages(q)
			if err != nil {
				t.Errorf("search %q: %v", tc.q, err)
				continue
			}
			if !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("search %q as %d = %v, want %v (query %s)", tc.q, tc.viewer, ids(got), tc.want, q.Search)
			}
			n, err := tx.CountMessages(q)
			if err != nil || n != len(tc.want) {
				t.Errorf("count %q = %d, %v; want %d", tc.q, n, err, len(tc.want))
			}
			// Ranked, the same set.
			q.Sort = store.SortRelevance
			ranked, err := tx.ListMessages(q)
			if err != nil || len(ranked) != len(tc.want) {
				t.Errorf("ranked search %q = %v, %v; want the messages %v", tc.q, ids(ranked), err, tc.want)
			}
		}
		return nil
	})
}

func (s suite) testSearchRanking(t *testing.T) {
	f := s.newFixture(t)
	mk := func(id, subject, body string, days int) *store.Message {
		m := message(f.ann.ID, f.thread.ID, id, subject)
		m.TextBody = body
		m.Date = testTime.AddDate(0, 0, days)
		return m
	}
	inSubject := mk("a@x", "Invoice 42", "see attached", 0)
	oftenInBody := mk("b@x", "Hello", "invoice invoice invoice, about the invoice", 1)
	onceInLongBody := mk("c@x", "Hello", "the invoice is somewhere in this long text about many other things, such as weather, holidays, lunch and the state of the roads in spring", 2)
	unrelated := mk("d@x", "Lunch", "no match here", 3)
	f.insert(t, inSubject, oftenInBody, onceInLongBody, unrelated)
	view(t, f.db, func(tx store.Tx) error {
		q := store.MessageQuery{Search: parse(t, "invoice"), Sort: store.SortRelevance}
		ranked, err := tx.ListMessages(q)
		if err != nil {
			return err
		}
		// Every backend ranks the once-in-a-long-body match last. (SQLite's
		// exact BM25 order is in store/sqlite; PostgreSQL ranks with
		// ts_rank for now.)
		want := ids(ranked)
		if len(want) != 3 || want[2] != onceInLongBody.ID || !sameSet(want, []int64{inSubject.ID, oftenInBody.ID, onceInLongBody.ID}) {
			t.Errorf("ranked = %v, want %d and %d, then %d (once in a long body)", want, inSubject.ID, oftenInBody.ID, onceInLongBody.ID)
		}
		// Ranked through SQL (a filter beside the text) gives the same order.
		q.Search = parse(t, "invoice OR has:attachment")
		got, err := tx.ListMessages(q)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(ids(got), want) {
			t.Errorf("ranked with a filter = %v, want %v", ids(got), want)
		}
		// By date, newest first.
		q.Sort = store.SortNewest
		q.Search = parse(t, "invoice")
		got, _ = tx.ListMessages(q)
		if want := []int64{onceInLongBody.ID, oftenInBody.ID, inSubject.ID}; !reflect.DeepEqual(ids(got), want) {
			t.Errorf("by date = %v, want %v", ids(got), want)
		}
		// Pages of the ranked list.
		q.Sort, q.Limit = store.SortRelevance, 2
		first, _ := tx.ListMessages(q)
		q.Offset = 2
		second, _ := tx.ListMessages(q)
		if all := append(ids(first), ids(second)...); !reflect.DeepEqual(all, want) {
			t.Errorf("pages = %v + %v, want %v", ids(first), ids(second), want)
		}
		n, err := tx.CountMessages(q)
		if err != nil || n != 3 {
			t.Errorf("count with limit and offset = %d, %v; want 3", n, err)
		}
		return nil
	})
}

// testSearchRankingTies: messages that score the same are listed newest
// stored first (docs/cli.md, Ranking), whatever their dates: the later
// stored of two identical texts comes first though its Date is older, on
// a page of one too.
func (s suite) testSearchRankingTies(t *testing.T) {
	f := s.newFixture(t)
	mk := func(id string, days int) *store.Message {
		m := message(f.ann.ID, f.thread.ID, id, "Quarterly offer")
		m.TextBody = "the same words here"
		m.Date = testTime.AddDate(0, 0, days)
		return m
	}
	newerDate := mk("tie1@x", 0)
	storedLater := mk("tie2@x", -365)
	f.insert(t, newerDate)
	f.insert(t, storedLater)
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range []struct {
			name   string
			q      string
			filter bool
			limit  int
			want   []int64
		}{
			{"text", "offer", false, 0, []int64{storedLater.ID, newerDate.ID}},
			{"text, page of one", "offer", false, 1, []int64{storedLater.ID}},
			{"text with a filter", "offer OR has:attachment", true, 0, []int64{storedLater.ID, newerDate.ID}},
		} {
			q := store.MessageQuery{Search: parse(t, tc.q), Sort: store.SortRelevance, Limit: tc.limit}
			got, err := tx.ListMessages(q)
			if err != nil || !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("%s: ranked %q = %v, %v; want %v (equal scores: the newest stored first)", tc.name, tc.q, ids(got), err, tc.want)
			}
		}
		return nil
	})
}

func (s suite) testListSinceUntil(t *testing.T) {
	f := s.newSearchFixture(t)
	view(t, f.db, func(tx store.Tx) error {
		q := store.MessageQuery{Since: testTime.AddDate(0, 0, 1), Until: testTime.AddDate(0, 0, 4)}
		got, err := tx.ListMessages(q)
		if want := []int64{f.th, f.k, f.j}; err != nil || !reflect.DeepEqual(ids(got), want) {
			t.Errorf("since/until = %v, %v; want %v", ids(got), err, want)
		}
		q.Search = parse(t, "bob")
		got, err = tx.ListMessages(q)
		if want := []int64{f.th, f.k, f.j}; err != nil || !reflect.DeepEqual(ids(got), want) {
			t.Errorf("since/until with search = %v, %v; want %v", ids(got), err, want)
		}
		return nil
	})
}

// testSearchForwardNote: the note a user wrote above a customer's mail she
// forwarded is searched with the body.
func (s suite) testSearchForwardNote(t *testing.T) {
	f := s.newFixture(t)
	forwarded := message(f.ann.ID, f.thread.ID, "fw@x", "Delivery dates")
	forwarded.TextBody = "We need the delivery by Friday."
	forwarded.ForwardedBy, forwarded.ForwardNote = "ann@acme.example", "Can you call him back? He sounded urgent."
	forwarded.Participants = []store.Participant{{Role: store.RoleFrom, Name: "Dave Customer", Email: "dave@customer.example"}}
	other := message(f.ann.ID, f.thread.ID, "o@x", "Other")
	f.insert(t, forwarded, other)
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range []struct {
			q      string
			viewer int64
		}{
			{"urgent", 0},                  // the forwarding user's note
			{`"call him back"`, 0},         // as a phrase
			{"friday urgent", f.ann.ID},    // body and note together
			{`body:"call him back"`, 0},    // the note is body text
			{"from:dave urgent", f.ann.ID}, // filed as the customer's
		} {
			got, err := tx.ListMessages(store.MessageQuery{Search: parse(t, tc.q), Viewer: tc.viewer})
			if want := []int64{forwarded.ID}; err != nil || !reflect.DeepEqual(ids(got), want) {
				t.Errorf("search %q = %v, %v; want %v", tc.q, ids(got), err, want)
			}
		}
		return nil
	})
}

// A message's search text computed by the caller (Message.Search, as
// ingest's parse workers do) is what the index holds; without it the
// backend computes the same text itself.
func (s suite) testSearchTextGiven(t *testing.T) {
	f := s.newFixture(t)
	given := message(f.ann.ID, f.thread.ID, "given@x", "Quote")
	st := store.MessageSearchText(given)
	if st.Subject != "quote" || st.Senders != "ann seller ann acme example" || st.Recipients != "bob buyer bob customer example" {
		t.Errorf("MessageSearchText = %+v", st)
	}
	st.Body += " zebra"
	given.Search = &st
	computed := message(f.ann.ID, f.thread.ID, "computed@x", "Quote")
	computed.ForwardNote = "call him about the zebra"
	f.insert(t, given, computed)
	for q, want := range map[string][]int64{
		"zebra":        {given.ID, computed.ID},
		"body:zebra":   {given.ID, computed.ID},
		"from:ann":     {given.ID, computed.ID},
		"to:bob quote": {given.ID, computed.ID},
		"call him":     {computed.ID},
	} {
		view(t, f.db, func(tx store.Tx) error {
			got, err := tx.ListMessages(store.MessageQuery{Search: parse(t, q), Oldest: true})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			if !reflect.DeepEqual(ids(got), want) {
				t.Errorf("search %q = %v, want %v", q, ids(got), want)
			}
			return nil
		})
	}
}
