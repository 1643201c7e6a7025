package commands

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/store"
)

// This file is the JSON vocabulary of docs/cli.md ("JSON vocabulary"):
// every record a command prints with --json is one of these named types,
// never a map or a store type, so that each field is declared in one place
// and the schemas in docs/schema can be checked against what is printed.
// The rules: `id` is the record's own database id, `message_id` the RFC
// Message-ID, `owner` a user reference, `kind` an item kind, `shared` a
// bool, times RFC 3339 UTC to the second, null for none, every field
// always present.

// jsonTime is a time as RFC 3339 UTC to the second; the zero time is null.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(tt.UTC().Truncate(time.Second).Format(time.RFC3339))
}

// UnmarshalJSON reads what MarshalJSON writes (scripts' round trips, tests).
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = jsonTime{}
		return nil
	}
	var tt time.Time
	if err := json.Unmarshal(b, &tt); err != nil {
		return err
	}
	*t = jsonTime(tt)
	return nil
}

// nullString is a string that is null when empty.
type nullString string

func (s nullString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// nullID is a database id that is null when 0 (no such record).
type nullID int64

func (id nullID) MarshalJSON() ([]byte, error) {
	if id == 0 {
		return []byte("null"), nil
	}
	return json.Marshal(int64(id))
}

// nonNil returns s, or an empty list for nil, so that lists print as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// userRef names a user: `owner` and `user` fields.
type userRef struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// itemRef names an item (or a person: Title is then the name) next to its id.
type itemRef struct {
	Kind  store.ItemKind `json:"kind"`
	ID    int64          `json:"id"`
	Title string         `json:"title"`
}

// linkOut is one link of a message.
type linkOut struct {
	Kind store.ItemKind `json:"kind"`
	ID   int64          `json:"id"`
	How  string         `json:"how"`
}

type companyOut struct {
	ID               int64    `json:"id"`
	Name             string   `json:"name"`
	Slug             string   `json:"slug"`
	BccDomain        string   `json:"bcc_domain"`
	UniversalAddress string   `json:"universal_address"`
	CreatedAt        jsonTime `json:"created_at"`
}

type settingsOut struct {
	AutoLink      bool `json:"auto_link"`
	DefaultShared bool `json:"default_shared"`
	CreatePersons bool `json:"create_persons"`
}

func newSettingsOut(s store.Settings) settingsOut {
	return settingsOut{AutoLink: s.AutoLink, DefaultShared: s.DefaultShared, CreatePersons: s.CreatePersons}
}

type userOut struct {
	ID        int64       `json:"id"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Settings  settingsOut `json:"settings"`
	CreatedAt jsonTime    `json:"created_at"`
}

func newUserOut(u *store.User) userOut {
	return userOut{ID: u.ID, Email: u.Email, Name: u.Name, Settings: newSettingsOut(u.Settings), CreatedAt: jsonTime(u.CreatedAt)}
}

// settingsReport is what `settings show` and `settings set` print.
type settingsReport struct {
	User     userRef     `json:"user"`
	Settings settingsOut `json:"settings"`
}

type addressOut struct {
	ID            int64    `json:"id"`
	User          userRef  `json:"user"`
	Email         string   `json:"email"`
	Primary       bool     `json:"primary"`
	Confirmed     bool     `json:"confirmed"`
	CreatedAt     jsonTime `json:"created_at"`
	ConfirmedAt   jsonTime `json:"confirmed_at"`
	CodeExpiresAt jsonTime `json:"code_expires_at"`
}

func newAddressOut(a *store.Address, u userRef) addressOut {
	out := addressOut{ID: a.ID, User: u, Email: a.Email, Primary: a.Primary, Confirmed: a.Confirmed,
		CreatedAt: jsonTime(a.CreatedAt)}
	if a.ConfirmedAt != nil {
		out.ConfirmedAt = jsonTime(*a.ConfirmedAt)
	}
	if !a.Confirmed {
		out.CodeExpiresAt = jsonTime(a.CodeExpires)
	}
	return out
}

type personOut struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Org       nullString `json:"org"`
	Emails    []string   `json:"emails"`
	CreatedAt jsonTime   `json:"created_at"`
}

func newPersonOut(p *store.Person) personOut {
	return personOut{ID: p.ID, Name: p.Name, Org: nullString(p.Org), Emails: nonNil(p.Emails), CreatedAt: jsonTime(p.CreatedAt)}
}

type itemOut struct {
	ID         int64          `json:"id"`
	Kind       store.ItemKind `json:"kind"`
	Title      string         `json:"title"`
	Status     string         `json:"status"`
	Person     *itemRef       `json:"person"`
	Owner      *userRef       `json:"owner"`
	BccAddress nullString     `json:"bcc_address"`
	CreatedAt  jsonTime       `json:"created_at"`
	// ConvertedTo is the deal a lead became (lead convert).
	ConvertedTo *itemRef `json:"converted_to"`
}

type envelopeOut struct {
	Sender     nullString `json:"sender"`
	Recipients []string   `json:"recipients"`
	ClientIP   nullString `json:"client_ip"`
	Helo       nullString `json:"helo"`
	QueueID    nullString `json:"queue_id"`
}

func newEnvelopeOut(e store.Envelope) envelopeOut {
	return envelopeOut{Sender: nullString(e.Sender), Recipients: nonNil(e.Recipients), ClientIP: nullString(e.ClientIP),
		Helo: nullString(e.Helo), QueueID: nullString(e.QueueID)}
}

type participantOut struct {
	Role string `json:"role"`
	// Email is null for a participant known only by its name (Name then
	// holds the text in which no address could be read).
	Email nullString `json:"email"`
	Name  nullString `json:"name"`
}

type attachmentOut struct {
	Index       int        `json:"index"`
	Name        nullString `json:"name"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
}

// messageEntry is one message of an inbox, a search, a thread or an item.
type messageEntry struct {
	ID          int64      `json:"id"`
	MessageID   nullString `json:"message_id"`
	ThreadID    nullID     `json:"thread_id"`
	Date        jsonTime   `json:"date"`
	Owner       userRef    `json:"owner"`
	From        nullString `json:"from"`
	FromName    nullString `json:"from_name"`
	Subject     nullString `json:"subject"`
	Shared      bool       `json:"shared"`
	ForwardedBy nullString `json:"forwarded_by"`
	Links       []linkOut  `json:"links"`
	// linkNames are the links as people read them, with the item's title
	// or the person's name: `deal 3 "Bigco rollout"` (text output only).
	linkNames []string
}

// messageDetail is what `show` prints: a message entry and the rest.
type messageDetail struct {
	messageEntry
	// ForwardedAt and ForwardNote are set for a customer's mail a user
	// forwarded: the date of her forward (date is the original's) and
	// what she wrote above the forwarded mail.
	ForwardedAt  jsonTime         `json:"forwarded_at"`
	ForwardNote  nullString       `json:"forward_note"`
	ReceivedAt   jsonTime         `json:"received_at"`
	Source       string           `json:"source"`
	Size         int64            `json:"size"`
	InReplyTo    nullString       `json:"in_reply_to"`
	References   []string         `json:"references"`
	Envelope     envelopeOut      `json:"envelope"`
	Participants []participantOut `json:"participants"`
	Auth         verdictOut       `json:"auth"`
	Attachments  []attachmentOut  `json:"attachments"`
	Text         string           `json:"text"`
}

type signatureOut struct {
	Domain    string     `json:"domain"`
	Selector  string     `json:"selector"`
	Algorithm string     `json:"algorithm"`
	Result    string     `json:"result"`
	Reason    nullString `json:"reason"`
	Aligned   bool       `json:"aligned"`
}

type policyOut struct {
	Domain    string `json:"domain"`
	OrgDomain string `json:"org_domain"`
	P         string `json:"p"`
	ADKIM     string `json:"adkim"`
	ASPF      string `json:"aspf"`
}

// verdictOut is an authentication verdict (`auth check`, `show`).
type verdictOut struct {
	Mode       string         `json:"mode"`
	FromDomain nullString     `json:"from_domain"`
	DKIM       string         `json:"dkim"`
	SPF        string         `json:"spf"`
	SPFDomain  nullString     `json:"spf_domain"`
	SPFAligned bool           `json:"spf_aligned"`
	DMARC      string         `json:"dmarc"`
	Policy     *policyOut     `json:"policy"`
	Aligned    bool           `json:"aligned"`
	Signatures []signatureOut `json:"signatures"`
	Reason     nullString     `json:"reason"`
}

func newVerdictOut(v *auth.Verdict) verdictOut {
	out := verdictOut{Mode: v.Mode, FromDomain: nullString(v.FromDomain), DKIM: v.DKIM, SPF: v.SPF,
		SPFDomain: nullString(v.SPFDomain), SPFAligned: v.SPFAligned, DMARC: v.DMARC, Aligned: v.Aligned,
		Signatures: []signatureOut{}, Reason: nullString(v.Reason)}
	if v.Policy != nil {
		out.Policy = &policyOut{Domain: v.Policy.Domain, OrgDomain: v.Policy.OrgDomain, P: v.Policy.P, ADKIM: v.Policy.ADKIM, ASPF: v.Policy.ASPF}
	}
	for _, s := range v.Signatures {
		out.Signatures = append(out.Signatures, signatureOut{Domain: s.Domain, Selector: s.Selector, Algorithm: s.Algorithm,
			Result: s.Result, Reason: nullString(s.Reason), Aligned: s.Aligned})
	}
	return out
}

// storedVerdict is the verdict kept with a message: the full one when the
// details were recorded, else the summary.
func storedVerdict(a store.AuthResult) verdictOut {
	var v auth.Verdict
	if len(a.Details) == 0 || json.Unmarshal(a.Details, &v) != nil {
		v = auth.Verdict{}
	}
	// The summary columns are what was decided; they win over the details.
	v.Mode, v.DKIM, v.SPF, v.DMARC, v.Aligned = a.Mode, a.DKIM, a.SPF, a.DMARC, a.Aligned
	return newVerdictOut(&v)
}

type threadOut struct {
	ID       int64          `json:"id"`
	Subject  nullString     `json:"subject"`
	Items    []itemRef      `json:"items"`
	Messages []messageEntry `json:"messages"`
}

type authSummaryOut struct {
	DKIM    string `json:"dkim"`
	SPF     string `json:"spf"`
	DMARC   string `json:"dmarc"`
	Aligned bool   `json:"aligned"`
}

// ingestLine is one line of `ingest --json`, and `quarantine release`.
type ingestLine struct {
	ID        nullID          `json:"id"`
	MessageID nullString      `json:"message_id"`
	Status    string          `json:"status"`
	Reason    nullString      `json:"reason"`
	Owner     *userRef        `json:"owner"`
	ThreadID  nullID          `json:"thread_id"`
	Links     []linkOut       `json:"links"`
	Auth      *authSummaryOut `json:"auth"`
	Shared    *bool           `json:"shared"`
	Origin    nullString      `json:"origin"`
	Suspect   nullString      `json:"suspect"`
	Explain   []string        `json:"explain"`
}

type rejectionOut struct {
	ID        int64       `json:"id"`
	At        jsonTime    `json:"at"`
	Code      string      `json:"code"`
	Reason    string      `json:"reason"`
	Detail    string      `json:"detail"`
	Envelope  envelopeOut `json:"envelope"`
	From      nullString  `json:"from"`
	MessageID nullString  `json:"message_id"`
	Subject   nullString  `json:"subject"`
	RawSHA256 string      `json:"raw_sha256"`
	Size      int64       `json:"size"`
}

// heldOut is one message of the quarantine.
type heldOut struct {
	ID         int64       `json:"id"`
	At         jsonTime    `json:"at"`
	User       userRef     `json:"user"`
	Address    string      `json:"address"`
	Envelope   envelopeOut `json:"envelope"`
	From       nullString  `json:"from"`
	Subject    nullString  `json:"subject"`
	MessageID  nullString  `json:"message_id"`
	Status     string      `json:"status"`
	ReleasedAt jsonTime    `json:"released_at"`
	FiledAs    nullID      `json:"filed_as"`
}

// names resolves ids to the names printed next to them, reading each
// record once per command.
type names struct {
	tx      store.Tx
	users   map[int64]*store.User
	persons map[int64]*store.Person
	items   map[itemKey]*store.Item
}

type itemKey struct {
	kind store.ItemKind
	id   int64
}

func newNames(tx store.Tx) *names {
	return &names{tx: tx, users: map[int64]*store.User{}, persons: map[int64]*store.Person{}, items: map[itemKey]*store.Item{}}
}

func (n *names) user(id int64) (userRef, error) {
	u, ok := n.users[id]
	if !ok {
		var err error
		if u, err = n.tx.User(id); err != nil {
			return userRef{}, err
		}
		n.users[id] = u
	}
	return userRef{ID: u.ID, Email: u.Email}, nil
}

func (n *names) person(id int64) (*store.Person, error) {
	p, ok := n.persons[id]
	if !ok {
		var err error
		if p, err = n.tx.Person(id); err != nil {
			return nil, err
		}
		n.persons[id] = p
	}
	return p, nil
}

func (n *names) item(kind store.ItemKind, id int64) (*store.Item, error) {
	k := itemKey{kind, id}
	it, ok := n.items[k]
	if !ok {
		var err error
		if it, err = n.tx.Item(kind, id); err != nil {
			return nil, err
		}
		n.items[k] = it
	}
	return it, nil
}

// ref names an item or a person.
func (n *names) ref(kind store.ItemKind, id int64) (itemRef, error) {
	if kind == store.KindPerson {
		p, err := n.person(id)
		if err != nil {
			return itemRef{}, err
		}
		return itemRef{Kind: kind, ID: id, Title: p.Name}, nil
	}
	it, err := n.item(kind, id)
	if err != nil {
		return itemRef{}, err
	}
	return itemRef{Kind: kind, ID: id, Title: it.Title}, nil
}

// itemOut is an item with its person and owner named.
func (n *names) itemOut(c *store.Company, it *store.Item) (itemOut, error) {
	out := itemOut{ID: it.ID, Kind: it.Kind, Title: it.Title, Status: it.Status,
		BccAddress: nullString(itemAddress(c, it)), CreatedAt: jsonTime(it.CreatedAt)}
	if it.PersonID != 0 {
		r, err := n.ref(store.KindPerson, it.PersonID)
		if err != nil {
			return out, err
		}
		out.Person = &r
	}
	if it.OwnerID != 0 {
		u, err := n.user(it.OwnerID)
		if err != nil {
			return out, err
		}
		out.Owner = &u
	}
	if it.ConvertedTo != 0 {
		r, err := n.ref(store.KindDeal, it.ConvertedTo)
		if err != nil {
			return out, err
		}
		out.ConvertedTo = &r
	}
	return out, nil
}

func (n *names) messageEntry(m *store.Message) (messageEntry, error) {
	owner, err := n.user(m.OwnerID)
	if err != nil {
		return messageEntry{}, err
	}
	links, err := n.tx.Links(m.ID)
	if err != nil {
		return messageEntry{}, err
	}
	e := messageEntry{ID: m.ID, MessageID: nullString(m.MessageID), ThreadID: nullID(m.ThreadID), Date: jsonTime(m.Date),
		Owner: owner, From: nullString(m.FromEmail), FromName: nullString(m.FromName), Subject: nullString(m.Subject),
		Shared: m.Shared, ForwardedBy: nullString(m.ForwardedBy), Links: []linkOut{}}
	for _, l := range links {
		e.Links = append(e.Links, linkOut{Kind: l.Kind, ID: l.ItemID, How: l.How})
		r, err := n.ref(l.Kind, l.ItemID)
		if err != nil {
			return messageEntry{}, err
		}
		e.linkNames = append(e.linkNames, r.label())
	}
	return e, nil
}

// label is an item or person as people read it, name next to id:
// `deal 3 "Bigco rollout"`, `person 1 "Bob Buyer"`.
func (r itemRef) label() string {
	return fmt.Sprintf("%s %d %q", r.Kind, r.ID, r.Title)
}

func (n *names) messageEntries(msgs []store.Message) ([]messageEntry, error) {
	out := make([]messageEntry, 0, len(msgs))
	for i := range msgs {
		e, err := n.messageEntry(&msgs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (n *names) messageDetail(m *store.Message) (messageDetail, error) {
	e, err := n.messageEntry(m)
	if err != nil {
		return messageDetail{}, err
	}
	d := messageDetail{messageEntry: e, ReceivedAt: jsonTime(m.ReceivedAt), Source: m.Source, Size: m.Size,
		InReplyTo: nullString(m.InReplyTo), References: nonNil(m.References), Envelope: newEnvelopeOut(m.Envelope),
		Participants: []participantOut{}, Auth: storedVerdict(m.Auth), Attachments: []attachmentOut{}, Text: m.TextBody,
		ForwardedAt: jsonTime(m.ForwardedAt), ForwardNote: nullString(m.ForwardNote)}
	for _, p := range m.Participants {
		d.Participants = append(d.Participants, participantOut{Role: p.Role, Email: nullString(p.Email), Name: nullString(p.Name)})
	}
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, attachmentOut{Index: a.Index, Name: nullString(a.Name), ContentType: a.ContentType,
			Size: a.Size, SHA256: a.SHA256})
	}
	return d, nil
}

func newRejectionOut(r *store.Rejection) rejectionOut {
	return rejectionOut{ID: r.ID, At: jsonTime(r.At), Code: r.Code, Reason: r.Reason, Detail: r.Detail,
		Envelope: newEnvelopeOut(r.Envelope), From: nullString(r.From), MessageID: nullString(r.MessageID),
		Subject: nullString(r.Subject), RawSHA256: r.RawSHA256, Size: r.Size}
}

func (n *names) heldOut(q *store.Quarantined) (heldOut, error) {
	u, err := n.user(q.UserID)
	if err != nil {
		return heldOut{}, err
	}
	out := heldOut{ID: q.ID, At: jsonTime(q.At), User: u, Address: q.Address, Envelope: newEnvelopeOut(q.Envelope),
		From: nullString(q.From), Subject: nullString(q.Subject), MessageID: nullString(q.MessageID), Status: "held",
		FiledAs: nullID(q.FiledAs)}
	if q.Released {
		out.Status = "released"
		if q.ReleasedAt != nil {
			out.ReleasedAt = jsonTime(*q.ReleasedAt)
		}
	}
	return out, nil
}
