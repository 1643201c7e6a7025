package store

import (
	"strings"
	"unicode/utf8"
)

// CleanText returns s as every backend can keep it: valid UTF-8 without
// NUL characters (PostgreSQL's text type refuses both), each run of bad
// bytes and each NUL replaced by U+FFFD. Mail is full of both; the raw
// message keeps the original bytes.
func CleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func cleanBytes(b []byte) []byte {
	if b == nil || (utf8.Valid(b) && !strings.ContainsRune(string(b), 0)) {
		return b
	}
	return []byte(CleanText(string(b)))
}

// PrepareMessage puts m into the form a backend stores, in place, so that
// m equals what a later read returns: text cleaned (CleanText), emails
// canonical (CanonicalEmail), times as kept (StoreTime).
func PrepareMessage(m *Message) {
	m.DedupKey, m.MessageID, m.InReplyTo = CleanText(m.DedupKey), CleanText(m.MessageID), CleanText(m.InReplyTo)
	for i, r := range m.References {
		m.References[i] = CleanText(r)
	}
	m.Subject, m.FromName = CleanText(m.Subject), CleanText(m.FromName)
	m.FromEmail, m.ForwardedBy = CanonicalEmail(CleanText(m.FromEmail)), CanonicalEmail(CleanText(m.ForwardedBy))
	m.Date, m.ReceivedAt, m.ForwardedAt = StoreTime(m.Date), StoreTime(m.ReceivedAt), StoreTime(m.ForwardedAt)
	m.Source = CleanText(m.Source)
	m.Auth.Details = cleanBytes(m.Auth.Details)
	// The body is most of a message's text. A message PrepareForInsert
	// prepared is prepared again by the backend, in the single writer of
	// an import, where scanning it again cost 0.24 s of the reference
	// corpus: a body that is still the very string prepared then is
	// compared in constant time (same pointer and length) and kept; one
	// changed since is cleaned again.
	var cleanText string
	if m.Search != nil {
		cleanText = m.Search.preparedText
	}
	if m.TextBody != cleanText {
		m.TextBody = CleanText(m.TextBody)
	}
	m.ForwardNote = CleanText(m.ForwardNote)
	m.Auth.Mode, m.Auth.DKIM, m.Auth.SPF, m.Auth.DMARC = CleanText(m.Auth.Mode), CleanText(m.Auth.DKIM), CleanText(m.Auth.SPF), CleanText(m.Auth.DMARC)
	for i := range m.Participants {
		p := &m.Participants[i]
		p.Role, p.Name, p.Email = CleanText(p.Role), CleanText(p.Name), CanonicalEmail(CleanText(p.Email))
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		a.Name, a.ContentType, a.SHA256 = CleanText(a.Name), CleanText(a.ContentType), CleanText(a.SHA256)
	}
}

// PrepareForInsert prepares m (PrepareMessage) and sets m.Search to its
// search text, in the caller's goroutine, so that a backend's
// InsertMessage has neither left to do: ingest calls it in its parse
// workers.
func PrepareForInsert(m *Message) {
	PrepareMessage(m)
	st := MessageSearchText(m)
	st.preparedText = m.TextBody
	m.Search = &st
}

// PrepareRejection is PrepareMessage for a rejection record.
func PrepareRejection(r *Rejection) {
	r.At = StoreTime(r.At)
	r.Code, r.Reason, r.Detail = CleanText(r.Code), CleanText(r.Reason), CleanText(r.Detail)
	r.From, r.MessageID, r.Subject, r.RawSHA256 = CleanText(r.From), CleanText(r.MessageID), CleanText(r.Subject), CleanText(r.RawSHA256)
}

// PrepareQuarantined is PrepareMessage for held mail.
func PrepareQuarantined(q *Quarantined) {
	q.At, q.ReleasedAt = StoreTime(q.At), StoreTimePtr(q.ReleasedAt)
	q.Address = CanonicalEmail(CleanText(q.Address))
	q.From, q.Subject, q.MessageID = CleanText(q.From), CleanText(q.Subject), CleanText(q.MessageID)
}
