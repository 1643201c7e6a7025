package ingest

// RejectionReasons are the reason words refused mail is recorded with
// (smartbcc rejected, and reason in ingest results), as docs/cli.md lists
// them: rejected --reason takes these. A test holds the list to the
// refusals this package makes.
var RejectionReasons = []string{
	"malformed_from", "repeated_field", "unknown_sender", "auth_failed", "bad_confirmation",
	"unknown_recipient", "loop", "bounce", "auto_reply", "bulk", "own_mail", "too_large",
	"not_a_message", "unreadable",
}
