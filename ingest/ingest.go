// Package ingest is smartbcc's main job: one message in, one decision out.
//
// Each message goes through: size limit, parse, loop and noise checks,
// recipients (Bcc address or token), sender to user, authentication,
// forward unwrapping, duplicate check, thread, links, sharing, store. The
// work that needs no store writes (parsing, DNS) is done in Prepare, so an
// import can run it on several workers; Commit does the rest inside one
// store transaction, so a message is stored completely or not at all.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/store"
)

// Statuses of a processed message.
const (
	StatusStored      = "stored"
	StatusDuplicate   = "duplicate"
	StatusRejected    = "rejected"
	StatusQuarantined = "quarantined"
	StatusConfirmed   = "confirmed" // a reply that confirmed an alternate address
	// StatusSkipped is an input of an archive deliberately not read as a
	// message (Delivery.Skipped); Reason is the cause.
	StatusSkipped = "skipped"
)

// Refusal classes decide the exit status with --bounce.
const (
	RefusedNone      = ""
	RefusedData      = "data"      // not a message at all: 65 always
	RefusedRecipient = "recipient" // unknown Bcc address or token: 67 with --bounce
	RefusedSender    = "sender"    // unknown sender or failed auth: 77 with --bounce
	RefusedPolicy    = "policy"    // loops, auto-replies, bulk: 0 always
	RefusedSize      = "size"      // over the size limit: 65 always, as LMTP's 552
)

// DefaultMaxSize is the default message size limit (Postfix's own default
// message_size_limit is 10 MB; we allow for larger local setups).
const DefaultMaxSize = 25 << 20

// Authenticator checks a message's sender (package auth).
type Authenticator interface {
	Check(ctx context.Context, in auth.Input) (*auth.Verdict, error)
}

// AuthMode says how authentication is decided.
type AuthMode struct {
	Kind       string // "verify", "trust-authres", "off"
	AuthservID string // for trust-authres
}

func (m AuthMode) String() string {
	if m.Kind == "trust-authres" {
		return "trust-authres=" + m.AuthservID
	}
	return m.Kind
}

// ParseAuthMode reads the --auth flag.
func ParseAuthMode(s string) (AuthMode, error) {
	switch {
	case s == "verify" || s == "":
		return AuthMode{Kind: "verify"}, nil
	case s == "off":
		return AuthMode{Kind: "off"}, nil
	case len(s) > len("trust-authres=") && s[:len("trust-authres=")] == "trust-authres=":
		return AuthMode{Kind: "trust-authres", AuthservID: s[len("trust-authres="):]}, nil
	}
	return AuthMode{}, store.Errorf(store.EInvalid, "invalid --auth %q: want verify, trust-authres=AUTHSERV-ID or off", s)
}

// Options configure an Ingester.
type Options struct {
	Store    store.Store
	Auth     Authenticator
	AuthMode AuthMode
	MaxSize  int64
	Limits   parse.Limits
	Source   string // store.SourcePipe or store.SourceImport
	// Owner, when set (--user), owns every message regardless of sender,
	// and no Bcc recipient is required (archive import).
	Owner string
	// KeepBulk, with Owner, files list and bulk mail (Precedence: list,
	// bulk, junk) instead of refusing it: a list archive imported for a
	// user keeps its list mail.
	KeepBulk bool
	DryRun   bool
	// Releasing re-ingests held mail: it is never held again.
	Releasing bool
	Now       func() time.Time
	// DirectoryTTL is how long the users and sender addresses read from
	// the store are used before they are read again. 0 reads them once
	// (one delivery or one import); a long-running server sets it so that
	// a user or address added meanwhile counts within that time.
	DirectoryTTL time.Duration
}

// Delivery is one message as it arrived.
type Delivery struct {
	Raw      []byte
	Envelope store.Envelope
	// NullSender is set when the envelope sender was given and empty
	// (bounces).
	NullSender bool
	Origin     string // file and position, for messages and --explain
	Size       int64
	// ReadErr is a problem the reader had with this message (too large).
	ReadErr error
	// RawSHA256 is the digest of a message the reader found too large to
	// keep (mailfile.Item.RawSHA256): Raw is nil.
	RawSHA256 string
	// ArchiveDate is when the archive says the message arrived (the date
	// of its mbox From_ line, a Maildir file name's time); zero when it
	// says nothing. The date fallback after the Date header.
	ArchiveDate time.Time
	// Skipped, when set, is why the reader did not read this input as a
	// message (mailfile.Item.Skipped): it is counted, never parsed.
	Skipped string
	// Suspect is the reader's note that this message may be several
	// messages glued together (mailfile.Item.Suspect).
	Suspect string
}

// ItemDelivery is the delivery of an item an archive reader gave. env is
// the envelope the caller knows (an archive has none); the item's From_
// line gives the sender when env has none.
func ItemDelivery(it *mailfile.Item, env store.Envelope) *Delivery {
	if env.Sender == "" && it.EnvelopeFrom != "" {
		env.Sender = it.EnvelopeFrom
	}
	return &Delivery{Raw: it.Raw, Envelope: env, Origin: it.Origin, Size: it.Size, ReadErr: it.Err, RawSHA256: it.RawSHA256,
		ArchiveDate: it.ArchiveDate, Skipped: it.Skipped, Suspect: it.Suspect}
}

// Result is what happened to one message; --json prints it.
type Result struct {
	MessageID string    `json:"message_id"`
	ID        int64     `json:"id"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason"`
	User      string    `json:"user"`
	ThreadID  int64     `json:"thread_id"`
	Links     []LinkOut `json:"links"`
	Auth      AuthOut   `json:"auth"`
	Shared    bool      `json:"shared"`
	Origin    string    `json:"origin,omitempty"`
	// Suspect is the reader's note that the message may be several
	// glued together (Delivery.Suspect): a problem of the run, shown
	// with the result whatever its status.
	Suspect string   `json:"suspect,omitempty"`
	Explain []string `json:"explain,omitempty"`
	Code    string   `json:"-"` // enhanced status code for stderr
	Refused string   `json:"-"` // refusal class
	// UnknownRecipients marks, by index of Envelope.Recipients, the
	// recipients that alone would have been refused as unknown (not a Bcc
	// address, or an unknown item token): LMTP answers each recipient as
	// the pipe would answer a delivery to it alone.
	UnknownRecipients []bool `json:"-"`
}

// LinkOut is one link in a Result.
type LinkOut struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	How  string `json:"how"`
}

// AuthOut is the authentication summary in a Result.
type AuthOut struct {
	DKIM    string `json:"dkim"`
	SPF     string `json:"spf"`
	DMARC   string `json:"dmarc"`
	Aligned bool   `json:"aligned"`
}

func (r *Result) explainf(format string, args ...any) {
	r.Explain = append(r.Explain, fmt.Sprintf(format, args...))
}

// TempError is a temporary failure: the caller should exit 75 so Postfix
// retries, and nothing has been stored.
type TempError struct {
	Code string // enhanced status code, 4.x.x
	Err  error
}

func (e *TempError) Error() string { return e.Err.Error() }
func (e *TempError) Unwrap() error { return e.Err }

// IsTemporary reports whether err should make Postfix retry.
func IsTemporary(err error) bool {
	var te *TempError
	return errors.As(err, &te) || store.IsTemporary(err)
}

// Ingester processes messages into one store.
type Ingester struct {
	opt   Options
	dirMu sync.Mutex
	dir   *directory
	// busyRetries is RunOptions.BusyRetries of the current Run.
	busyRetries int
}

// New makes an Ingester. The company, users and sender addresses are read
// once, on first use.
func New(opt Options) *Ingester {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxSize == 0 {
		opt.MaxSize = DefaultMaxSize
	}
	if opt.Limits.MaxParts == 0 {
		opt.Limits = parse.DefaultLimits
	}
	if opt.Source == "" {
		opt.Source = store.SourcePipe
	}
	if opt.AuthMode.Kind == "" {
		opt.AuthMode.Kind = "verify"
	}
	return &Ingester{opt: opt}
}

// Ping reports whether the store answers a read (a health check).
func (in *Ingester) Ping(ctx context.Context) error {
	return in.opt.Store.View(ctx, func(tx store.Tx) error {
		_, err := tx.Company()
		return err
	})
}

// Ingest processes one delivery completely. The error is non-nil only for
// failures that are worth retrying (TempError, store busy/unavailable) or
// bugs; every decision about the message itself is in the Result.
func (in *Ingester) Ingest(ctx context.Context, d Delivery) (Result, error) {
	p, err := in.Prepare(ctx, d)
	if err != nil {
		return Result{Origin: d.Origin}, err
	}
	results, err := in.Commit(ctx, []*Prepared{p})
	if err != nil {
		return Result{Origin: d.Origin}, err
	}
	return results[0], nil
}
