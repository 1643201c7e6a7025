// Package store defines what smartbcc keeps and the interface every storage
// backend implements. The SQLite backend lives in store/sqlite; a PostgreSQL
// backend (for companies whose several MX hosts pipe into one database) can
// implement the same interface without touching ingest, linker or commands.
//
// All access goes through a transaction: View for reads, Update for writes.
// An Update either commits everything its function did or nothing, so a
// refused input never leaves half-written rows behind.
//
// What every backend guarantees, and store/storetest checks for each:
//   - Times are stored in UTC truncated to microseconds (PostgreSQL's
//     precision); a time read back equals the time written, truncated. The
//     methods that store a caller's struct truncate its times in place, so
//     that the struct equals what a later read returns.
//   - Text is kept as valid UTF-8 without NUL (see CleanText); the
//     methods that store a caller's struct clean its text in place.
//   - Email addresses are compared and stored in canonical form (see
//     CanonicalEmail), so no backend needs a case-insensitive collation.
//   - A Tx is unusable after a method failed in the database (a constraint
//     violated, a lost connection, a timeout): PostgreSQL aborts the
//     transaction there, and SQLite is made to behave the same. Later calls
//     fail with the first error's code, and Update rolls back even if fn
//     returns nil. Errors found before the database is asked (bad input,
//     a missing record) leave the Tx usable.
package store

import (
	"context"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/store/search"
)

// Store is a transactional handle on the company's data.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction and commits when fn
	// returns nil. Backends must serialise writers (SQLite: BEGIN
	// IMMEDIATE) and report a busy or locked store as ErrBusy after their
	// own wait, so that callers can turn it into a temporary failure.
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Checker is implemented by backends that can verify their own
// consistency: no row a half-written or doubled delivery would leave, and
// the database's own integrity checks. The crash, load and hostile-input
// tests assert it after every run.
type Checker interface {
	Check(ctx context.Context) error
}

// TimePrecision is the precision of every time a store keeps.
const TimePrecision = time.Microsecond

// StoreTime returns t as a store keeps it: UTC, truncated to
// TimePrecision. The zero time stays zero, and so becomes a time outside
// the years 1 to 9999 (a garbled Date header), which not every backend
// can keep.
func StoreTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC().Truncate(TimePrecision)
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// StoreTimePtr is StoreTime for optional times; nil stays nil.
func StoreTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := StoreTime(*t)
	return &v
}

// CanonicalEmail is the form in which a store keeps and compares an email
// address: trimmed, lower-case as mailaddr.FoldCase lowers (a letter whose
// lower case is ASCII only when it is ASCII itself) and clean (CleanText).
// Callers pass addresses already
// canonical (ingest/mailaddr also turns domains into IDNA A-labels); the
// store applies this again so that a lookup in any case finds the address
// on every backend without a case-insensitive collation.
func CanonicalEmail(s string) string {
	return mailaddr.FoldCase(strings.TrimSpace(CleanText(s)))
}

// EmptySHA256 is the SHA-256 of no bytes, in hex.
const EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Savepointer is a Tx that can undo part of itself: Within runs fn in a
// savepoint of the transaction. When fn returns an error, everything fn
// did through the transaction is undone, the transaction goes on as it
// was before Within, and the error is returned; when fn returns nil, its
// changes stay in the transaction, to be committed with it, and the store
// holds no reference to the raw mail of the messages fn inserted any more
// (the caller may drop it). Within may nest.
//
// An archive import uses it to keep one transaction open over many
// batches (fewer commits: every index page a batch touches is written to
// the log once per commit, not once per batch) while one message that
// fails is still set apart from the others (see ingest's Run). A backend
// without it commits every batch on its own.
type Savepointer interface {
	Within(fn func() error) error
}

// Tx is everything a transaction can read and write. Methods return
// *Error values with a Code (see errors.go) for domain failures.
type Tx interface {
	// Company. There is exactly one company per store.
	// CreateCompany: slug is the universal address's local part, "" to
	// make it from the name (NewCompany).
	CreateCompany(name, slug, domain string) (*Company, error)
	Company() (*Company, error)

	// Users. CreateUser also records the primary sender address as
	// confirmed; an address already used by any user is a Conflict.
	CreateUser(email, name string) (*User, error)
	User(id int64) (*User, error)
	UserByEmail(email string) (*User, error) // primary address only
	Users() ([]User, error)
	UpdateSettings(userID int64, s Settings) error

	// Sender addresses (primary and alternate).
	AddAddress(a *Address) error // sets a.ID
	Addresses(userID int64) ([]Address, error)
	// AddressByEmail finds a sender address of any user, confirmed or not.
	AddressByEmail(email string) (*Address, error)
	AddressByCodeHash(codeHash string) (*Address, error)
	ConfirmAddress(id int64, at time.Time) error
	RemoveAddress(userID int64, email string) error

	// Persons (contacts), each with one or more email addresses.
	// CreatePerson records a person; an address that is already another
	// person's is a Conflict whose message names that person (an address
	// belongs to at most one person).
	CreatePerson(p *Person) error // sets p.ID, p.CreatedAt
	// UpdatePerson writes a person's name, org and addresses (the list
	// replaces the old one), with CreatePerson's rule for addresses.
	UpdatePerson(p *Person) error
	// DeletePerson removes a person, its addresses and its links; its
	// items stay but no longer name it.
	DeletePerson(id int64) error
	Person(id int64) (*Person, error)
	Persons() ([]Person, error)
	PersonsByEmails(emails []string) ([]Person, error)

	// Items: deals, leads and projects.
	CreateItem(it *Item) error // sets it.ID, it.CreatedAt
	// UpdateItem writes an item's title, person, owner, status and
	// conversion (ConvertedTo). Links and threads are left as they are:
	// changing an item never rewrites the mail linked to it.
	UpdateItem(it *Item) error
	Item(kind ItemKind, id int64) (*Item, error)
	Items(kind ItemKind) ([]Item, error)
	ItemByToken(kind ItemKind, token string) (*Item, error)
	// ItemsOfPerson lists the items of kind whose person is personID,
	// whatever their status.
	ItemsOfPerson(kind ItemKind, personID int64) ([]Item, error)

	// Messages.
	// MessageByKey finds the message already filed for owner under a
	// duplicate key (see Message.DedupKey).
	MessageByKey(ownerID int64, dedupKey string) (*Message, error)
	// InsertMessage stores m with its participants, attachments and
	// references; sets m.ID. Links are added separately with AddLink.
	InsertMessage(m *Message) error
	// Message loads headers, bodies, participants and attachment metadata
	// (not attachment content, not the raw bytes).
	Message(id int64) (*Message, error)
	MessageRaw(id int64) ([]byte, error)
	// AttachmentContent returns content stored apart from the raw message;
	// ENotFound when there is none (see Attachment).
	AttachmentContent(messageID int64, index int) ([]byte, error)
	ListMessages(q MessageQuery) ([]Message, error)
	// CountMessages counts what ListMessages would return without Limit
	// and Offset (so that a cut list can say "100 of 437").
	CountMessages(q MessageQuery) (int, error)
	SetShared(messageID int64, shared bool) error

	// Threads. References are the Message-IDs a message names (its own,
	// In-Reply-To and References); a thread is found through any of them.
	// Threading never joins mail across what its owner may see: only the
	// messages viewer may see (viewer's own and shared ones) are looked
	// at, so a reference to another user's private message finds nothing.
	ThreadByReferences(viewer int64, msgIDs []string) (*Thread, error)
	// ThreadBySubject finds the newest thread with the same normalised
	// subject that has a message viewer may see with one of the
	// participant addresses.
	ThreadBySubject(viewer int64, normSubject string, participants []string) (*Thread, error)
	CreateThread(t *Thread) error // sets t.ID
	Thread(id int64) (*Thread, error)
	ThreadMessages(threadID int64) ([]Message, error)
	// SetThreadItem records that the thread belongs to the item (or to no
	// item of that kind when itemID is 0). A thread belongs to at most one
	// deal, one lead and one project.
	SetThreadItem(threadID int64, kind ItemKind, itemID int64) error

	// Lookups of many messages at once: ingest commits messages in
	// batches and reads what a whole batch needs with these, in a few
	// statements at the start of the batch's transaction. Each answers
	// what its single counterpart answers, for every value asked.
	//
	// MessagesByKeys returns the owner's messages filed under any of the
	// duplicate keys (MessageByKey), as summaries (ListMessages' columns),
	// in no particular order.
	MessagesByKeys(ownerID int64, keys []string) ([]Message, error)
	// MessagesByMessageIDs returns the owner's messages whose own
	// Message-ID is one of msgIDs (MessageQuery.MessageID): for each id at
	// most perID of them, oldest first, as summaries.
	MessagesByMessageIDs(ownerID int64, msgIDs []string, perID int) ([]Message, error)
	// ReferencedThreads maps each of msgIDs that a stored message viewer
	// may see names (its own, In-Reply-To or References) to the thread of
	// the first such filed message naming it, by NormMessageID of the id;
	// ids no such message names are absent. ThreadByReferences is the
	// first of its ids found.
	ReferencedThreads(viewer int64, msgIDs []string) (map[string]Thread, error)
	// SubjectThreads returns, for each of the pairs, the newest thread
	// with that normalised subject that has a message viewer may see with
	// that participant address (ThreadBySubject for one address); pairs
	// without such a thread are absent, and so are pairs not asked. Its
	// cost follows the threads it finds, not their length: a pair found in
	// the newest thread of its subject does not read the thread's other
	// messages.
	SubjectThreads(viewer int64, pairs []SubjectEmail) ([]SubjectThread, error)
	// ItemsOfPersons lists the items of kind whose person is one of
	// personIDs, whatever their status (ItemsOfPerson for many persons).
	ItemsOfPersons(kind ItemKind, personIDs []int64) ([]Item, error)

	// Links between a message and a person, deal, lead or project.
	// AddLink reports whether the link was new.
	AddLink(l Link) (bool, error)
	RemoveLink(messageID int64, kind ItemKind, itemID int64) (bool, error)
	Links(messageID int64) ([]Link, error)

	// Refused and held mail. InsertRejection records r unless a
	// rejection of the same raw bytes (RawSHA256) for the same reason
	// exists: then it sets r.ID to that one's and adds nothing. A
	// rejection of no bytes (EmptySHA256: an input the reader kept
	// nothing of, not mail) has nothing to be the same as: it is always
	// recorded.
	InsertRejection(r *Rejection) error
	Rejections(since time.Time) ([]Rejection, error)
	InsertQuarantine(q *Quarantined) error
	Quarantine(id int64) (*Quarantined, error)
	QuarantineList(includeReleased bool) ([]Quarantined, error)
	MarkReleased(id int64, messageID int64, at time.Time) error
	// DeleteQuarantined drops held mail for good (the administrator's
	// decision), raw bytes included.
	DeleteQuarantined(id int64) error
}

// Company is the one tenant of a store.
type Company struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`       // local part of the universal Bcc address
	BccDomain string    `json:"bcc_domain"` // domain the Bcc addresses live on
	CreatedAt time.Time `json:"created_at"`
}

// Settings are a user's mail-sync preferences.
type Settings struct {
	AutoLink bool `json:"auto_link"`
	// DefaultShared is the sharing new mail of this user gets.
	DefaultShared bool `json:"default_shared"`
	// CreatePersons makes unknown participant addresses into persons.
	CreatePersons bool `json:"create_persons"`
}

// User is a salesperson whose mail is filed.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Settings  Settings  `json:"settings"`
	CreatedAt time.Time `json:"created_at"`
}

// Address is a sender address a user's Bcc mail is accepted from.
type Address struct {
	ID          int64      `json:"id"`
	UserID      int64      `json:"user_id"`
	Email       string     `json:"email"`
	Primary     bool       `json:"primary"`
	Confirmed   bool       `json:"confirmed"`
	CodeHash    string     `json:"-"` // SHA-256 of the one-time code; never shown
	CodeExpires time.Time  `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

// Status reports the confirmation state as the CLI shows it.
func (a Address) Status() string {
	if a.Confirmed {
		return "confirmed"
	}
	return "unconfirmed"
}

// Person is a contact of the company.
type Person struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Org       string    `json:"org,omitempty"`
	Emails    []string  `json:"emails"`
	CreatedAt time.Time `json:"created_at"`
}

// ItemKind names what a message can be linked to.
type ItemKind string

const (
	KindDeal    ItemKind = "deal"
	KindLead    ItemKind = "lead"
	KindProject ItemKind = "project"
	KindPerson  ItemKind = "person"
)

// ItemKinds are the CRM item kinds (persons are separate).
var ItemKinds = []ItemKind{KindDeal, KindLead, KindProject}

// Valid reports whether k is a kind a link can have.
func (k ItemKind) Valid() bool {
	switch k {
	case KindDeal, KindLead, KindProject, KindPerson:
		return true
	}
	return false
}

// HasBccAddress reports whether items of this kind get their own address.
func (k ItemKind) HasBccAddress() bool { return k == KindDeal || k == KindLead }

// Item statuses.
const (
	StatusOpen    = "open"
	StatusWon     = "won"
	StatusLost    = "lost"
	StatusDeleted = "deleted"
)

// Item is a deal, lead or project. A removed item keeps its row with
// status deleted, so that links and threads keep their history.
type Item struct {
	ID        int64     `json:"id"`
	Kind      ItemKind  `json:"kind"`
	Title     string    `json:"title"`
	PersonID  int64     `json:"person_id,omitempty"` // 0: none
	OwnerID   int64     `json:"owner_id,omitempty"`  // the user it belongs to; 0: none
	Status    string    `json:"status"`
	Token     string    `json:"-"` // Bcc token of deals and leads; secret-ish
	CreatedAt time.Time `json:"created_at"`
	// ConvertedTo is the deal a lead was converted to (0: not converted);
	// mail to the lead's address then files into that deal.
	ConvertedTo int64 `json:"converted_to,omitempty"`
}

// Participant roles.
const (
	RoleFrom    = "from"
	RoleSender  = "sender"
	RoleTo      = "to"
	RoleCc      = "cc"
	RoleBcc     = "bcc"
	RoleReplyTo = "reply_to"
)

// Participant is one address on a message.
type Participant struct {
	Role  string `json:"role"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// Attachment describes one attachment. Content is only set on insert, and
// may be nil: the attachment is then kept only inside the raw message (as
// ingest does, so that a large attachment is not stored twice), and
// parse.AttachmentContent decodes it from there.
type Attachment struct {
	Index       int    `json:"index"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Content     []byte `json:"-"`
}

// Envelope is what the MTA told us about a delivery.
type Envelope struct {
	Sender     string   `json:"sender,omitempty"`
	Recipients []string `json:"recipients,omitempty"`
	ClientIP   string   `json:"client_ip,omitempty"`
	Helo       string   `json:"helo,omitempty"`
	QueueID    string   `json:"queue_id,omitempty"`
}

// AuthResult is the authentication verdict stored with every message.
type AuthResult struct {
	Mode    string `json:"mode"`    // verify, trust-authres=ID, off
	DKIM    string `json:"dkim"`    // pass, fail, none, temperror, permerror, neutral
	SPF     string `json:"spf"`     // pass, fail, softfail, neutral, none, temperror, permerror
	DMARC   string `json:"dmarc"`   // pass, fail, none
	Aligned bool   `json:"aligned"` // an aligned pass of DKIM or SPF
	// Details keeps the per-signature and SPF detail as the auth package
	// produced it (JSON), for show and auth check.
	Details []byte `json:"-"`
}

// Sources of a message.
const (
	SourcePipe   = "pipe"
	SourceImport = "import"
)

// Message is one filed email.
type Message struct {
	ID          int64    `json:"id"`
	OwnerID     int64    `json:"owner_id"`
	ThreadID    int64    `json:"thread_id"`
	DedupKey    string   `json:"-"`
	MessageID   string   `json:"message_id"` // without angle brackets
	InReplyTo   string   `json:"in_reply_to,omitempty"`
	References  []string `json:"references,omitempty"`
	Subject     string   `json:"subject"`
	FromName    string   `json:"from_name,omitempty"`
	FromEmail   string   `json:"from_email"`
	Date        time.Time
	ReceivedAt  time.Time
	Source      string `json:"source"`
	Shared      bool   `json:"shared"`
	ForwardedBy string `json:"forwarded_by,omitempty"` // user address that forwarded it
	// ForwardedAt is the date of the user's forward when ForwardedBy is
	// set (Date is then the customer's original date); zero otherwise.
	ForwardedAt time.Time `json:"-"`
	// ForwardNote is what the user wrote above the forwarded mail ("can
	// you call him?"); search finds it with the body.
	ForwardNote string `json:"-"`
	// Search, when set, is MessageSearchText of the message as it will
	// be stored, computed by the caller (ingest's parse workers);
	// InsertMessage computes it when nil. Only set on insert.
	Search *SearchText `json:"-"`
	// TextBody is the text people read and search: the text part, or the
	// HTML part's text when there is none. The HTML itself and the
	// decoded header are not kept apart from the raw mail: nothing
	// showed them, and storing them was a third of the bytes an import
	// wrote. (Stores written before 2026-11-30 have them in the
	// messages table's headers and html_body columns, which are kept
	// for that data and neither written nor read.)
	TextBody     string        `json:"-"`
	Envelope     Envelope      `json:"envelope"`
	Auth         AuthResult    `json:"auth"`
	Participants []Participant `json:"participants"`
	Attachments  []Attachment  `json:"attachments"`
	Raw          []byte        `json:"-"` // exactly as received; set on insert
	Size         int64         `json:"size"`
}

// MessageQuery selects messages for inbox, search and export.
type MessageQuery struct {
	// Viewer restricts to what that user may see: own mail plus mail
	// shared with the company. 0 means the administrator (everything).
	Viewer int64
	// Owner restricts to one user's mail (0: any).
	Owner    int64
	ItemKind ItemKind // with ItemID: only messages linked to it
	ItemID   int64
	// Participants, when set, selects messages on which one of these
	// (canonical) addresses is a From, To, Cc or Reply-To participant:
	// the mail a person's addresses would have linked.
	Participants []string
	Unlinked     bool // only messages with no deal/lead/project/person link
	// Search is a parsed query (package search); nil: no text search.
	// Backends translate it; they never see what the person typed.
	Search *search.Query
	// Since and Until select messages dated in [Since, Until) (a zero
	// bound is open). A message without a usable Date header is dated by
	// its arrival.
	Since, Until time.Time
	ThreadID     int64
	// MessageID restricts to messages whose own Message-ID (without
	// angle brackets) is this one: ingest looks for another message of
	// the same owner that uses it.
	MessageID string
	Limit     int // 0: all
	Offset    int
	// Sort orders the results; the zero value is newest first.
	Sort Sort
	// Oldest orders oldest first (export, thread), whatever Sort says.
	Oldest bool
	// After, when set, selects only the messages that come after this
	// place in the query's order (keyset paging): EachMessage reads any
	// listing a page at a time with it, in memory that does not grow
	// with the store.
	After *MessageCursor
}

// MessageCursor is a place in a listing's order: listings sort by the
// Date header, falling back to the arrival time, then by id.
type MessageCursor struct {
	Sort time.Time // the message's Date, or ReceivedAt when it has none
	ID   int64
}

// Cursor is where m stands in a listing's order.
func (m *Message) Cursor() MessageCursor {
	t := m.Date
	if t.IsZero() {
		t = m.ReceivedAt
	}
	return MessageCursor{Sort: t, ID: m.ID}
}

// DefaultPage is how many messages EachMessage reads at a time.
const DefaultPage = 500

// EachMessage calls fn for every message q selects, in q's order, reading
// them page messages at a time (DefaultPage when page <= 0) with
// ListMessages and MessageQuery.After, so that memory does not grow with
// the listing: export and inbox --json of any store stay small. Each page
// is read whole before fn runs, so fn may use tx (no backend has to keep a
// result set open meanwhile). q.Limit and q.Offset keep their meaning. A
// full-text query (Search) is read in one piece, its Limit bounding it: a
// search result is a page people read, not a dump.
func EachMessage(tx Tx, q MessageQuery, page int, fn func(*Message) error) error {
	if page <= 0 {
		page = DefaultPage
	}
	if q.Search != nil {
		msgs, err := tx.ListMessages(q)
		if err != nil {
			return err
		}
		for i := range msgs {
			if err := fn(&msgs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	left := q.Limit // 0: no limit
	for {
		pq := q
		pq.Limit = page
		if q.Limit > 0 {
			pq.Limit = min(page, left)
		}
		msgs, err := tx.ListMessages(pq)
		if err != nil {
			return err
		}
		for i := range msgs {
			if err := fn(&msgs[i]); err != nil {
				return err
			}
		}
		left -= len(msgs)
		if len(msgs) < pq.Limit || q.Limit > 0 && left <= 0 {
			return nil
		}
		c := msgs[len(msgs)-1].Cursor()
		q.After, q.Offset = &c, 0
	}
}

// Sort is the order of a message listing.
type Sort int

const (
	// SortNewest is by date, newest first (inbox, search --sort date).
	SortNewest Sort = iota
	// SortRelevance is best match first (search), then newest first; it
	// is SortNewest for a query with no text to rank by.
	SortRelevance
)

// Thread is a conversation.
type Thread struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"` // normalised
	DealID    int64     `json:"deal_id,omitempty"`
	LeadID    int64     `json:"lead_id,omitempty"`
	ProjectID int64     `json:"project_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// SubjectEmail is one question of SubjectThreads: a normalised subject
// and a participant address.
type SubjectEmail struct{ Subject, Email string }

// SubjectThread is one answer of SubjectThreads: the newest thread with
// Thread.Subject that has a message on which Email is a participant.
type SubjectThread struct {
	Email  string // canonical
	Thread Thread
}

// NormMessageID is a Message-ID as stores keep and compare it: without
// the angle brackets and surrounding space, cleaned (CleanText); the rest
// is compared exactly, as RFC 5322 requires.
func NormMessageID(id string) string {
	return CleanText(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")))
}

// ItemID returns the thread's item of kind, 0 when none.
func (t Thread) ItemID(kind ItemKind) int64 {
	switch kind {
	case KindDeal:
		return t.DealID
	case KindLead:
		return t.LeadID
	case KindProject:
		return t.ProjectID
	}
	return 0
}

// How a link was made.
const (
	HowBcc    = "bcc"
	HowAuto   = "auto"
	HowThread = "thread"
	HowManual = "manual"
	// HowPerson is how persons are linked: automatically, by a
	// participant address (the contract knows bcc, auto, thread, manual).
	HowPerson = HowAuto
)

// Link ties a message to a person, deal, lead or project.
type Link struct {
	MessageID int64     `json:"message_id"`
	Kind      ItemKind  `json:"type"`
	ItemID    int64     `json:"id"`
	How       string    `json:"how"`
	CreatedAt time.Time `json:"created_at"`
}

// Rejection records refused mail so administrators can see it and spoofed
// senders get no backscatter.
type Rejection struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Code      string    `json:"code"`   // enhanced status code, e.g. 5.7.1
	Reason    string    `json:"reason"` // short machine word, e.g. auth_failed
	Detail    string    `json:"detail"`
	Envelope  Envelope  `json:"envelope"`
	From      string    `json:"from,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	RawSHA256 string    `json:"raw_sha256"`
	Size      int64     `json:"size"`
}

// Quarantined is mail held because its sender address is an alternate
// address that is not confirmed yet. The raw bytes are kept so that
// `quarantine release` can ingest it again once confirmed.
type Quarantined struct {
	ID         int64      `json:"id"`
	At         time.Time  `json:"at"`
	UserID     int64      `json:"user_id"`
	Address    string     `json:"address"`
	Envelope   Envelope   `json:"envelope"`
	From       string     `json:"from"`
	Subject    string     `json:"subject"`
	MessageID  string     `json:"message_id,omitempty"`
	Raw        []byte     `json:"-"`
	Released   bool       `json:"released"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	// FiledAs is the message id it was filed as on release.
	FiledAs int64 `json:"filed_as,omitempty"`
}
