package parse

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// Third-party messages of the shared corpora where smartbcc once read a
// field differently from the mature readers (Python's email package with
// policy.default, notmuch, mu), each with the value they agree on. The
// files are read in place (SMARTBCC_CORPORA or ../shared/corpora; the
// test fails under CI=true without them).

// corpusMessage parses one corpus file as a message.
func corpusMessage(t *testing.T, rel string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(archivetest.CorporaDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw, DefaultLimits)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

// TestCorpusAttachmentNames: every file a message carries is listed with
// its name, also one sent without a Content-Disposition (its name in the
// Content-Type only), as Python and notmuch list them.
func TestCorpusAttachmentNames(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []string
	}{
		// "image/gif; name=..." without a disposition, after an inline one.
		{"mime4j/core/src/test/resources/mimetools-testmsgs/multi-2gifs.msg", []string{"3d-compress.gif", "3d-eye.gif"}},
		{"mime4j/core/src/test/resources/mimetools-testmsgs/multi-weirdspace.msg", []string{"3d-compress.gif", "3d-eye.gif"}},
		{"mime4j/core/src/test/resources/mimetools-testmsgs/double-bound.msg", []string{"3d-eye.gif"}},
		// Outlook's images of a multipart/related HTML body.
		{"enmime/testdata/mail/other-multi-related.raw", []string{"image001.png", "image002.png"}},
		{"enmime/testdata/mail/other-parts.raw", []string{"B05.gif"}},
		{"enmime/testdata/mail/unknown-part-type.raw", []string{"B05.gif"}},
		// A PGP/MIME signature.
		{"enmime/testdata/mail/mime-signed.raw", []string{"signature.asc"}},
		{"stalwart-mail-parser/resources/eml/malformed/015.eml", []string{"signature.asc"}},
		// A spam's zip and an image of its HTML.
		{"spamscope-mail-parser/tests/mails/mail_test_4", []string{"Payment Invoice.zip", "img1.jpg"}},
		{"stalwart-mail-parser/resources/eml/legacy/021.eml", []string{"greenball.png", "redball.png", "blueball.png"}},
		{"stalwart-mail-parser/resources/eml/legacy/028.eml", []string{"blueball.png", "redball.png"}},
		// RFC 2231 names in Latin-1 (Pine, a Latin-1 mutt).
		{"stalwart-mail-parser/resources/eml/legacy/045.eml", []string{"HasenundFrösche.txt"}},
		{"mime4j/core/src/test/resources/mimetools-testmsgs/attachment-filename-encoding-Latin1.msg", []string{"attachment.äöü"}},
		{"ruby-mail/spec/fixtures/emails/attachment_emails/attachment_with_quoted_filename.eml", []string{"Eelanalüüsi päring.jpg"}},
		// "Content-Type: text" is the text, not a nameless file; an invalid
		// type with a name stays a file.
		{"cpython-email-data/Lib/test/test_email/data/msg_14.txt", nil},
		{"mimekit/UnitTests/TestData/messages/missing-subtype.txt", []string{"document.xml.gz"}},
		// Named parts besides a text body that were always listed.
		{"stalwart-mail-parser/resources/eml/legacy/035.eml", []string{`C:\TEMP\nsmail39.png`, `C:\TEMP\nsmailEG.png`, "greenball.png", "redball.png"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m := corpusMessage(t, tt.file)
			var got []string
			for _, a := range m.Attachments {
				got = append(got, a.Name)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("attachments %q, want %q", got, want)
			}
		})
	}
}

// TestCorpusDisplayedHeaders: the subject and display names as people
// read them.
func TestCorpusDisplayedHeaders(t *testing.T) {
	for _, tt := range []struct {
		file, subject string
		to            []string // display names of To
	}{
		// Outlook 2000's UTF-7 encoded words.
		{"stalwart-mail-parser/resources/eml/legacy/001.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", []string{"Joe Blow", "Jürgen Schmürgen"}},
		{"stalwart-mail-parser/resources/eml/legacy/005.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", []string{"Heinz Müller"}},
		// Raw Latin-1 bytes in Subject and To (Eudora, Outlook 2000), read
		// in the body's declared charset, iso-8859-1, as notmuch and mu
		// show them; Python shows U+FFFD.
		{"stalwart-mail-parser/resources/eml/legacy/010.eml", "Die Hasen und die Frösche", []string{"Heinz Müller"}},
		{"stalwart-mail-parser/resources/eml/legacy/020.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", []string{"Jürgen Schmürgen"}},
		{"stalwart-mail-parser/resources/eml/legacy/022.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", []string{"Jürgen Schmürgen"}},
		{"stalwart-mail-parser/resources/eml/legacy/027.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", []string{"Jürgen Schmürgen"}},
		// No charset at the top (multipart/mixed; no Content-Type at
		// all): Windows-1252, as notmuch and mu (GMime) read it.
		{"stalwart-mail-parser/resources/eml/legacy/017.eml", "The Hare and the Tortoise", []string{"Jürgen Schmürgen"}},
		{"stalwart-mail-parser/resources/eml/legacy/052.eml", "Die Hasen und die Frösche (Microsoft Outlook 00)", []string{"Heinz Müller"}},
		{"ruby-mail/spec/fixtures/emails/error_emails/invalid_subject_characters.eml", "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro", []string{"", "", ""}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m := corpusMessage(t, tt.file)
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			var to []string
			for _, a := range m.To {
				to = append(to, a.Name)
			}
			if !slices.Equal(to, tt.to) {
				t.Errorf("To names %q, want %q", to, tt.to)
			}
		})
	}
}

// TestCorpusText: the text people read, without MIME structure in it.
func TestCorpusText(t *testing.T) {
	for _, tt := range []struct {
		file, has, hasNot string
	}{
		// mutt wrote the boundary as an RFC 2231 value in ANSI_X3.4-1968
		// (US-ASCII): the parts must be split, not shown as raw MIME.
		{"cpython-email-data/Lib/test/test_email/data/msg_33.txt", "part 1", "--EeQfGwPcQSOJBaQU"},
		// "Content-Type: text; charset=us-ascii": RFC 2045 5.2's default.
		{"cpython-email-data/Lib/test/test_email/data/msg_14.txt", "drainbread ISP", ""},
		// No empty line after the header: the body starts at the first
		// line that is no field, as Python's email package reads it.
		{"cpython-email-data/Lib/test/test_email/data/msg_35.txt", "there's no separating newline here", ""},
		{"mime4j/core/src/test/resources/testmsgs/malformedHeader-nocrlfcrlf.msg", "This is an invalid header\r\nAnotherHeader: is this an header or the first part of the body?\r\n\r\nBody text", ""},
		{"enmime/testdata/mail/qp-utf8-header-no-break.raw", "Lorem ipsum dolor sit amet", "--------------020203040006070307010003"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m := corpusMessage(t, tt.file)
			if !strings.Contains(m.Text, tt.has) || tt.hasNot != "" && strings.Contains(m.Text, tt.hasNot) {
				t.Errorf("text %q, want %q in it and not %q", m.Text, tt.has, tt.hasNot)
			}
		})
	}
}

// TestCorpusDigest: the messages of a multipart/digest are its content:
// also the one written without a Content-Type (message/rfc822 by default
// there, RFC 2046 5.1.5), which was lost. None is an attached message (a
// forward's original) or a file.
func TestCorpusDigest(t *testing.T) {
	for _, tt := range []struct {
		file     string
		isDigest bool // the message itself, not a part of it
		messages int
		text     []string
	}{
		{"mime4j/core/src/test/resources/mimetools-testmsgs/multi-digest.msg", true, 2,
			[]string{"embedded message 1", "This is implicitly-typed ASCII text.", "embedded message 2", "This is explicitly typed plain ASCII text."}},
		// RFC 2046's example: a digest inside multipart/mixed, its
		// messages without a Content-Type.
		{"stalwart-mail-parser/resources/eml/rfc/004.eml", false, 2,
			[]string{"my opinion", "...body goes here ...", "my different opinion", "... another body goes here ..."}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m := corpusMessage(t, tt.file)
			if m.IsDigest != tt.isDigest || len(m.Digest) != tt.messages || len(m.Attached) != 0 || len(m.Attachments) != 0 {
				t.Errorf("digest %v, %d messages, %d attached, attachments %+v; want %v, %d, none attached, no files",
					m.IsDigest, len(m.Digest), len(m.Attached), m.Attachments, tt.isDigest, tt.messages)
			}
			for _, want := range tt.text {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text %q does not hold %q", m.Text, want)
				}
			}
		})
	}
}
