// Package search is smartbcc's query language and its tokenizer, shared by
// every store backend.
//
// A query is parsed once, here, into a small tree (Node); each backend
// translates the tree into its own terms (SQLite FTS4 MATCH expressions and
// SQL, PostgreSQL tsquery and SQL). What a person types is never passed to
// a database: plain words are always words, and a malformed query is read
// as well as it can be or refused with a message about the query, never
// about the database.
//
// The language (docs/cli.md has the user's version):
//
//	widgets 200          both words (AND is implied; AND may be written)
//	"price list"         the phrase: these words, adjacent, in this order
//	widg*                a word starting with "widg"
//	a OR b               either (OR binds tighter than AND: a b OR c is a AND (b OR c))
//	-a, NOT a            not a
//	( ... )              grouping
//	from:bob             the From (or Sender, Reply-To) name or address
//	to:carol             a To, Cc or Bcc name or address
//	subject:offer        the subject
//	body:offer           the text body
//	deal:3 lead:4 project:5 person:6   linked to that item
//	person:bob@customer.example        linked to the person with that address
//	after:2026-01-31     dated on or after that day (local time)
//	before:2026-02-01    dated before that day
//	has:attachment       with at least one attachment
//
// Field values are words or "quoted phrases" (from:"Bob Buyer"). AND, OR
// and NOT are operators only in capitals; anything that is not an operator
// or a known field is a word: follow-up, o'brien, C++, re: and
// unknown:thing are all searched as text (see the tokenizer in token.go).
//
// For a backend: index four texts per message, each as IndexText gives it
// (tokens joined by spaces): the subject; the names and addresses of the
// From, Sender and Reply-To participants (FieldFrom); those of To, Cc and
// Bcc (FieldTo); the text body (FieldBody). A Text node matches when its
// Tokens occur in that order at consecutive positions of one of those
// texts (FieldAny) or of the one its Field names; a Prefix token matches
// any token it begins. No stemming, no stop words: the tokens are the
// words. SQLite keeps the four texts in four FTS4 columns under the
// "simple" tokenizer; in PostgreSQL they map onto tsvector weights
// (to_tsvector('simple', ...) of each, setweight A, B, C, D), a phrase onto
// <->, a prefix onto :*, a field onto a weight restriction ('tok':A).
// Rank by BM25 over the four texts as store/sqlite documents it.
package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Field restricts a text match to a part of the message.
type Field string

// Fields of a text match. FieldAny matches any of the others.
const (
	FieldAny     Field = ""
	FieldSubject Field = "subject"
	FieldFrom    Field = "from" // From, Sender and Reply-To names and addresses
	FieldTo      Field = "to"   // To, Cc and Bcc names and addresses
	FieldBody    Field = "body" // the text body
)

// Fields lists the fields a backend indexes, in the order of their columns.
var Fields = []Field{FieldSubject, FieldFrom, FieldTo, FieldBody}

// Node is a node of a parsed query: *Text, *And, *Or, *Not, *Linked,
// *DateRange or *HasAttachment.
type Node interface {
	// String is the node in a canonical, fully parenthesised form (for
	// tests and --explain), e.g. (and widgets (or "price list" from:bob)).
	String() string
	node()
}

// Text matches messages whose Field contains Tokens adjacent and in order.
// One token is a word, several a phrase.
type Text struct {
	Field  Field
	Tokens []Token
	// Raw is what the person typed, for messages.
	Raw string
}

// And matches messages every node matches.
type And struct{ Nodes []Node }

// Or matches messages any node matches.
type Or struct{ Nodes []Node }

// Not matches messages its node does not match.
type Not struct{ Node Node }

// Linked matches messages linked to an item: Kind is deal, lead, project or
// person.
type Linked struct {
	Kind string
	ID   int64
	// Email is the address a person was named by (person:bob@x.example),
	// as typed; ID is then 0 until the caller, which has the store, finds
	// whose address it is and sets ID (a backend refuses an ID of 0).
	// Every --person flag takes an id or an address: so does person:.
	Email string
}

// DateRange matches messages dated in [Since, Until); a zero bound is open.
// A message without a usable Date header is dated by its arrival.
type DateRange struct{ Since, Until time.Time }

// HasAttachment matches messages with at least one attachment.
type HasAttachment struct{}

func (*Text) node()          {}
func (*And) node()           {}
func (*Or) node()            {}
func (*Not) node()           {}
func (*Linked) node()        {}
func (*DateRange) node()     {}
func (*HasAttachment) node() {}

func (t *Text) String() string {
	var b strings.Builder
	if t.Field != FieldAny {
		b.WriteString(string(t.Field) + ":")
	}
	if len(t.Tokens) > 1 {
		b.WriteByte('"')
	}
	for i, tok := range t.Tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok.Text)
		if tok.Prefix {
			b.WriteByte('*')
		}
	}
	if len(t.Tokens) > 1 {
		b.WriteByte('"')
	}
	return b.String()
}

func (a *And) String() string { return list("and", a.Nodes) }
func (o *Or) String() string  { return list("or", o.Nodes) }
func (n *Not) String() string { return "(not " + n.Node.String() + ")" }
func (l *Linked) String() string {
	if l.ID == 0 && l.Email != "" {
		return l.Kind + ":" + l.Email
	}
	return l.Kind + ":" + strconv.FormatInt(l.ID, 10)
}

// Items calls fn for each item filter of q (deal:3, person:bob@x.example),
// so that the caller can find what each names (and set a person's ID).
func (q *Query) Items(fn func(*Linked) error) error {
	var walk func(Node) error
	walk = func(n Node) error {
		switch n := n.(type) {
		case *Linked:
			return fn(n)
		case *And:
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *Or:
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *Not:
			return walk(n.Node)
		}
		return nil
	}
	if q == nil {
		return nil
	}
	return walk(q.Root)
}
func (d *DateRange) String() string {
	var parts []string
	if !d.Since.IsZero() {
		parts = append(parts, "since:"+d.Since.UTC().Format(time.RFC3339))
	}
	if !d.Until.IsZero() {
		parts = append(parts, "until:"+d.Until.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}
func (*HasAttachment) String() string { return "has:attachment" }

func list(op string, nodes []Node) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = n.String()
	}
	return "(" + op + " " + strings.Join(parts, " ") + ")"
}

// Query is a parsed query.
type Query struct {
	// Root is the whole query; never nil.
	Root Node
	// Source is the text it was parsed from.
	Source string
}

func (q *Query) String() string { return q.Root.String() }

// HasText reports whether the query matches any text (so that results can
// be ranked), outside a negation.
func (q *Query) HasText() bool {
	var walk func(Node, bool) bool
	walk = func(n Node, neg bool) bool {
		switch n := n.(type) {
		case *Text:
			return !neg
		case *And:
			for _, c := range n.Nodes {
				if walk(c, neg) {
					return true
				}
			}
		case *Or:
			for _, c := range n.Nodes {
				if walk(c, neg) {
					return true
				}
			}
		case *Not:
			return walk(n.Node, !neg)
		}
		return false
	}
	return q != nil && walk(q.Root, false)
}

// Options are what parsing needs besides the text.
type Options struct {
	// Now is the time relative dates count from (after:7d); default
	// time.Now().
	Now time.Time
	// Location is the zone dates such as 2026-01-31 are read in; default
	// time.Local.
	Location *time.Location
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	return o
}

// Error is a query that cannot be read. Its message is about the query,
// for the person who typed it.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Parse reads a query. It is forgiving where the intent is clear (an
// unclosed quote or parenthesis ends at the end of the query, a stray ")"
// or an operator with nothing to apply to is ignored or taken as a word)
// and fails, with an *Error, only for a query that has nothing to search
// for or a filter with a value it cannot read (deal:abc, after:someday).
func Parse(s string, opt Options) (*Query, error) {
	p := &parser{toks: lex(s), opt: opt.withDefaults()}
	root, err := p.parseAnd(0)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, errorf("nothing to search for in %q: give a word, a \"phrase\" or a filter such as from:ann", s)
	}
	return &Query{Root: root, Source: s}, nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(s string) *Query {
	q, err := Parse(s, Options{})
	if err != nil {
		panic(err)
	}
	return q
}

// lexical items
type itemKind int

const (
	itemWord itemKind = iota // text, maybe with a field
	itemLParen
	itemRParen
	itemAnd
	itemOr
	itemNot
)

type item struct {
	kind   itemKind
	field  string // lower-case field name before ':', when known
	text   string // the word or phrase (without quotes or trailing stars)
	phrase bool   // written in quotes
	prefix bool   // ended with *
	raw    string
}

var knownFields = map[string]bool{
	"from": true, "to": true, "subject": true, "body": true,
	"deal": true, "lead": true, "project": true, "person": true,
	"after": true, "before": true, "has": true,
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// lex splits a query into items. ")" closes a group only when one is open,
// so that "smile :)" stays a word.
func lex(s string) []item {
	var items []item
	depth := 0
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpace(c):
			i++
			continue
		case c == '(':
			items = append(items, item{kind: itemLParen, raw: "("})
			depth++
			i++
			continue
		case c == ')' && depth > 0:
			items = append(items, item{kind: itemRParen, raw: ")"})
			depth--
			i++
			continue
		case c == '-' && i+1 < len(s) && !isSpace(s[i+1]) && s[i+1] != '-' && s[i+1] != ')':
			items = append(items, item{kind: itemNot, raw: "-"})
			i++
			continue
		}
		start := i
		it := item{kind: itemWord}
		// field:
		if j := strings.IndexByte(s[i:], ':'); j > 0 {
			name := strings.ToLower(s[i : i+j])
			if knownFields[name] && i+j+1 < len(s) && !isSpace(s[i+j+1]) && !strings.ContainsAny(name, " \t\"()") {
				it.field = name
				i += j + 1
			}
		}
		if i < len(s) && s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				it.text = s[i+1:]
				i = len(s)
			} else {
				it.text = s[i+1 : i+1+end]
				i += end + 2
			}
			it.phrase = true
			for i < len(s) && s[i] == '*' {
				it.prefix = true
				i++
			}
		} else {
			j := i
			for j < len(s) && !isSpace(s[j]) && !(s[j] == ')' && depth > 0) && !(s[j] == '"' && j > i) {
				j++
			}
			w := s[i:j]
			i = j
			if it.field == "" {
				switch w {
				case "AND":
					items = append(items, item{kind: itemAnd, raw: w})
					continue
				case "OR":
					items = append(items, item{kind: itemOr, raw: w})
					continue
				case "NOT":
					items = append(items, item{kind: itemNot, raw: w})
					continue
				}
			}
			if t := strings.TrimRight(w, "*"); len(t) < len(w) {
				it.prefix = true
				w = t
			}
			it.text = w
		}
		it.raw = s[start:i]
		items = append(items, it)
	}
	return items
}

type parser struct {
	toks []item
	pos  int
	opt  Options
}

func (p *parser) peek() *item {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

// parseAnd reads clauses up to the end or to the ")" closing this group.
func (p *parser) parseAnd(depth int) (Node, error) {
	var nodes []Node
	for {
		t := p.peek()
		if t == nil {
			break
		}
		if t.kind == itemRParen {
			if depth > 0 {
				break
			}
			p.pos++ // a stray ")": ignored
			continue
		}
		if t.kind == itemAnd && len(nodes) > 0 {
			p.pos++
			continue
		}
		n, err := p.parseOr(depth)
		if err != nil {
			return nil, err
		}
		if n != nil {
			nodes = append(nodes, n)
		}
	}
	return and(nodes), nil
}

func (p *parser) parseOr(depth int) (Node, error) {
	var nodes []Node
	n, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	if n != nil {
		nodes = append(nodes, n)
	}
	for {
		t := p.peek()
		if t == nil || t.kind != itemOr {
			break
		}
		p.pos++
		// "a OR" at the end, or "a OR )": nothing to apply it to.
		if nt := p.peek(); nt == nil || nt.kind == itemRParen || nt.kind == itemAnd || nt.kind == itemOr {
			continue
		}
		n, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		if n != nil {
			nodes = append(nodes, n)
		}
	}
	switch len(nodes) {
	case 0:
		return nil, nil
	case 1:
		return nodes[0], nil
	}
	return flatten(&Or{Nodes: nodes}), nil
}

func (p *parser) parseUnary(depth int) (Node, error) {
	t := p.peek()
	if t == nil {
		return nil, nil
	}
	switch t.kind {
	case itemNot:
		p.pos++
		if nt := p.peek(); nt == nil || nt.kind == itemRParen {
			if t.raw == "NOT" {
				return p.word("NOT"), nil // "NOT" alone is a word
			}
			return nil, nil
		}
		n, err := p.parseUnary(depth)
		if err != nil || n == nil {
			return nil, err
		}
		if inner, ok := n.(*Not); ok {
			return inner.Node, nil
		}
		return &Not{Node: n}, nil
	case itemLParen:
		p.pos++
		n, err := p.parseAnd(depth + 1)
		if err != nil {
			return nil, err
		}
		if nt := p.peek(); nt != nil && nt.kind == itemRParen {
			p.pos++
		}
		return n, nil
	case itemAnd, itemOr:
		// An operator where a word was expected ("OR" alone, "a AND OR
		// b"): it is the word.
		p.pos++
		return p.word(t.raw), nil
	case itemRParen:
		return nil, nil
	}
	p.pos++
	return p.leaf(t)
}

// word makes a plain text node (nil when it has no tokens).
func (p *parser) word(s string) Node {
	toks := QueryTokens(s, false)
	if len(toks) == 0 {
		return nil
	}
	return &Text{Tokens: toks, Raw: s}
}

func (p *parser) leaf(t *item) (Node, error) {
	switch t.field {
	case "", "subject", "from", "to", "body":
		toks := QueryTokens(t.text, t.prefix)
		if len(toks) == 0 {
			return nil, nil // "++", "*", "!!!": nothing searchable
		}
		return &Text{Field: Field(t.field), Tokens: toks, Raw: t.raw}, nil
	case "deal", "lead", "project", "person":
		if t.field == "person" && strings.Contains(t.text, "@") && !t.prefix {
			// An address, read by the caller's address parser.
			return &Linked{Kind: t.field, Email: t.text}, nil
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(t.text, "#"), 10, 64)
		if err != nil || id <= 0 {
			if t.field == "person" {
				return nil, errorf("person: takes a person id or address, as in person:3 or person:bob@customer.example (not %q)", t.text)
			}
			return nil, errorf("%s: takes a %s id, as in %s:3 (not %q)", t.field, t.field, t.field, t.text)
		}
		return &Linked{Kind: t.field, ID: id}, nil
	case "after", "before":
		start, _, err := ParseTime(t.text, p.opt)
		if err != nil {
			return nil, errorf("%s: %v", t.field, err)
		}
		if t.field == "after" {
			return &DateRange{Since: start}, nil
		}
		return &DateRange{Until: start}, nil
	case "has":
		switch strings.ToLower(t.text) {
		case "attachment", "attachments":
			return &HasAttachment{}, nil
		}
		return nil, errorf("has: knows only has:attachment (not %q)", t.text)
	}
	return nil, errorf("unknown field %s:", t.field)
}

func and(nodes []Node) Node {
	switch len(nodes) {
	case 0:
		return nil
	case 1:
		return nodes[0]
	}
	return flatten(&And{Nodes: nodes})
}

// flatten merges nested nodes of the same kind: (and a (and b c)) is
// (and a b c).
func flatten(n Node) Node {
	switch n := n.(type) {
	case *And:
		var out []Node
		for _, c := range n.Nodes {
			if a, ok := c.(*And); ok {
				out = append(out, a.Nodes...)
			} else {
				out = append(out, c)
			}
		}
		n.Nodes = out
	case *Or:
		var out []Node
		for _, c := range n.Nodes {
			if o, ok := c.(*Or); ok {
				out = append(out, o.Nodes...)
			} else {
				out = append(out, c)
			}
		}
		n.Nodes = out
	}
	return n
}
