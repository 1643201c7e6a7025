package archivetest

// Archives is every archive the import tests read, with what it holds.
// The message counts were read off the files and checked against Python's
// mailbox module (TestArchivesPythonCounts re-checks every one with
// python3; CI installs it); PythonDiffers says why Python counts
// otherwise, line by line. The outcomes (Stored, Duplicate, Refused) are
// what an import for a user with --auth off made of each file, each
// refusal checked against the file's header (Precedence: list, a bounce...).
var Archives = []Archive{
	// Third-party corpora (see ../shared/corpora/SOURCES.md): every file
	// that starts with a From_ line (an mbox, whatever its name: a single
	// message saved with its envelope line is an mbox of one, and MimeKit's
	// expected summaries are mbox-shaped too) and every Maildir.
	{Name: "corpora/cpython-email-data/Lib/test/test_email/data/mailbox_01.mbox", Messages: 1, Python: 2,
		PythonDiffers: `Python splits at the body line "From time to time"; it is prose, not a From_ line`,
		Stored:        1},
	{Name: "corpora/cpython-email-data/Lib/test/test_email/data/msg_25.txt", Messages: 1, Python: 1, Refused: map[string]int{"bounce": 1}},
	{Name: "corpora/cpython-email-data/Lib/test/test_email/data/msg_43.txt", Messages: 1, Python: 1, Refused: map[string]int{"bounce": 1}},
	{Name: "corpora/mime4j/core/src/test/resources/mimetools-testmsgs/jt-0498.msg", Messages: 1, Python: 1, Refused: map[string]int{"bulk": 1}},
	{Name: "corpora/mime4j/core/src/test/resources/mimetools-testmsgs/mp-msg-rfc822.msg", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/mime4j/core/src/test/resources/mimetools-testmsgs/twopart.msg", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/mime4j/core/src/test/resources/mimetools-testmsgs/uu-junk.msg", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/mime4j/dom/src/test/resources/mime4j-219-new-date-time-format.msg", Messages: 1, Python: 1, Refused: map[string]int{"bulk": 1}},
	{Name: "corpora/mime4j/mbox/src/test/resources/test-1/mbox.rlug", Messages: 5, Python: 5,
		Refused: map[string]int{"bulk": 5}},
	{Name: "corpora/mimekit/UnitTests/TestData/mbox/content-length-summary.txt", Messages: 29, Python: 29, Stored: 29},
	// #16 and #17 forward the same attached original as #11: one message.
	{Name: "corpora/mimekit/UnitTests/TestData/mbox/content-length.mbox.txt", Messages: 29, Python: 29,
		Stored: 21, Duplicate: 2, Refused: map[string]int{"bulk": 5, "bounce": 1}},
	{Name: "corpora/mimekit/UnitTests/TestData/mbox/issue1189-summary.txt", Messages: 4, Python: 4, Stored: 4},
	{Name: "corpora/mimekit/UnitTests/TestData/mbox/issue1189.mbox.txt", Messages: 4, Python: 4, Stored: 4},
	{Name: "corpora/mimekit/UnitTests/TestData/mbox/simple.mbox.txt", Messages: 3, Python: 3, Stored: 3},
	{Name: "corpora/mimekit/UnitTests/TestData/mbox/unmunged.mbox.txt", Messages: 2, Python: 3,
		PythonDiffers: `Python splits at the body line "From Russia with love" (followed by "Year: 1963"); MimeKit, whose test file it is, reads 2`,
		Stored:        2},
	{Name: "corpora/mimekit/UnitTests/TestData/messages/multipart-digest.txt", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/mox/testdata/imaptest/imaptest.mbox", Messages: 48, Python: 48, Stored: 48},
	{Name: "corpora/mox/testdata/importtest.maildir", Messages: 2, Skipped: map[string]int{"mailbox_state": 1}, Python: 2, Stored: 2},
	{Name: "corpora/mox/testdata/importtest.mbox", Messages: 2, Python: 2, Stored: 2},
	{Name: "corpora/nodemailer-mailparser/test/fixtures/large_text.eml", Messages: 1, Python: 1, Refused: map[string]int{"bulk": 1}},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/attachment_emails/attachment_pdf.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/attachment_emails/attachment_pdf_lf.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/attachment_emails/attachment_pdf_non_ascii.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/attachment_emails/attachment_pdf_non_ascii_lf.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/attachment_emails/attachment_with_base64_encoded_name.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/attachment_emails/attachment_with_encoded_name.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email11.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email2.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email_with_binary_encoded.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email_with_illegal_boundary.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email_with_multipart_mixed_quoted_boundary.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email_with_nested_attachment.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/mime_emails/raw_email_with_quoted_illegal_boundary.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/mix_caps_content_type.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/raw_email.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/raw_email8.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/raw_email_double_at_in_header.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/raw_email_simple.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/raw_email_string_in_date_field.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/plain_emails/raw_email_with_partially_quoted_subject.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/rfc2822/example13.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "corpora/ruby-mail/spec/fixtures/emails/rfc2822/example14.eml", Messages: 1, Python: 1, Stored: 1},

	// Archives in each writer's format (testdata/writers).
	{Name: "writers/apple-mail.mbox", Messages: 2, Python: 2, Stored: 2},
	{Name: "writers/date-shapes.mbox", Messages: 5, Python: 5, Stored: 5},
	{Name: "writers/eudora.mbx", Messages: 2, Python: 2, Stored: 2},
	{Name: "writers/git-format-patch.mbox", Messages: 2, Python: 2, Stored: 2},
	{Name: "writers/glued.mbox", Messages: 1, Suspects: 1, Python: 2,
		PythonDiffers: `"From the archive of someone, first of April" has no date: not a From_ line, so the second message stays glued to the first, and the run says so`,
		Stored:        1},
	{Name: "writers/gmail-takeout.mbox", Messages: 3, Python: 3, Stored: 3},
	{Name: "writers/mutt.mbox", Messages: 2, Python: 2, Stored: 2},
	// mboxcl2 (Solaris mail): nothing quoted, each body counted by its
	// Content-Length; the first forwards an mbox excerpt as it was.
	{Name: "writers/mboxcl2.mbox", Messages: 2, Python: 4,
		PythonDiffers: `Python splits at the body lines "From bob@customer.example Wed Mar 31 09:12:44 2004" (inside the 292 bytes the Content-Length counts, and so the body's) and "From now on, send the quotes to me."`,
		Stored:        2},
	{Name: "writers/netscape.mbox", Messages: 3, Python: 3, Stored: 3},
	{Name: "writers/no-dates.mbox", Messages: 3, Python: 3, Stored: 3},
	// Issue 12.3: obsolete syntax is read (RFC 5322 section 4).
	{Name: "writers/obsolete-from-field.eml", Messages: 1, Python: 1, Stored: 1},
	{Name: "writers/obsolete-from-field.mbox", Messages: 2, Python: 3,
		PythonDiffers: `Python splits at the header field "From  :<ann@acme.example>" (obsolete syntax, RFC 5322 section 4.5.6), which is no From_ line`,
		Stored:        2},
	{Name: "writers/pipermail.txt", Messages: 4, Python: 4, Stored: 4},
	// Newer Mailman archives (the R-project lists) write "x @end|ng |rom y".
	{Name: "writers/pipermail-sending-from.txt", Messages: 3, Python: 3, Stored: 3},
	// A note in front of the first From_ line: no message, the rest read.
	{Name: "writers/prologue.mbox", Messages: 2, NotMessage: 1, Python: 2, Stored: 2, Refused: map[string]int{"not_a_message": 1}},
	{Name: "writers/qmail.mbox", Messages: 2, Python: 2, Stored: 2},
	{Name: "writers/quoted-local-part.mbox", Messages: 2, Python: 2, Stored: 2},
	{Name: "writers/thunderbird.mbox", Messages: 3, Python: 3, Stored: 3},
	{Name: "writers/unquoted-body.mbox", Messages: 2, Python: 4,
		PythonDiffers: `Python splits at the body lines "From Monday to Friday, 9 to 5." and "From here on, call the new number."`,
		Stored:        2},
	{Name: "writers/uw-imap.mbox", Messages: 2, Skipped: map[string]int{"folder_internal_data": 1}, Python: 3, Stored: 2},

	// Directory trees built by MakeMaildirs.
	{Name: "maildirs/plain", Messages: 3, Skipped: map[string]int{"maildir_tmp": 1}, Python: 3, Stored: 3},
	{Name: "maildirs/maildir++", Messages: 4, Skipped: map[string]int{"mailbox_state": 10}, Python: 4, Stored: 4},
	{Name: "maildirs/fs", Messages: 5, Skipped: map[string]int{"mailbox_state": 3}, Python: 5, Stored: 5},
	{Name: "maildirs/notmuch", Messages: 10, Python: 7,
		PythonDiffers: "Python's Maildir reads cur/ and new/ only; bar/baz/04:2,, foo/07:2, and foo/baz/09:2, lie in folder roots, where notmuch reads them too",
		Stored:        10},
	{Name: "maildirs/clients", Messages: 8,
		Skipped: map[string]int{"hidden": 2, "mailbox_state": 4, "link_to_directory": 1, "not_a_file": 1}, Python: 6,
		PythonDiffers: "the walk counts mbox files and Maildirs only: the MH folder's 2 messages (one file each) are mailbox.MH's, which a walk cannot tell",
		Stored:        8},
	{Name: "maildirs/broken", Messages: 1, NotMessage: 2, Skipped: map[string]int{"hidden": 1, "not_a_file": 1}, Python: 4,
		PythonDiffers: "Python's Maildir also reads the hidden file cur/.1080849603.M4P1.mx.example, which maildir(5) says readers skip",
		Stored:        1, Refused: map[string]int{"not_a_message": 2}},
}
