package ingest

import (
	"regexp"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/encword"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/ingest/parse"
)

// pipermailComment is the name pipermail writes after the address it
// obscured: "jgentry at harvard.example (Jeff Gentry)".
var pipermailComment = regexp.MustCompile(`\(([^()]*)\)\s*$`)

// pipermailAuthor reads the From field of a message of a Mailman 2
// (pipermail) archive, which obscures every address as "local at
// domain", in its From_ line and in the From field alike: "jgentry at
// harvard.example (Jeff Gentry)" or "Jeff Gentry <jgentry at
// harvard.example>". RFC 5322 reads no address there (the From is
// malformed, and stays so for authentication and for finding an owner).
// envSender is the From_ line's address, its '@' given back by the mbox
// reader; only a field that holds exactly that address, obscured the
// same way, is read, with it restored: it is then pipermail's rendering
// of that address, not a guess at what some other text means.
func pipermailAuthor(fields []parse.Field, envSender string) (mailaddr.Address, bool) {
	local, domain, ok := strings.Cut(envSender, "@")
	if !ok || local == "" || domain == "" {
		return mailaddr.Address{}, false
	}
	var value string
	n := 0
	for _, f := range fields {
		if strings.EqualFold(f.Name, "From") {
			value = f.Value
			n++
		}
	}
	// The name pipermail wrote in a comment after the address; it
	// repeats the obscured address there when the sender gave none.
	comment := ""
	if m := pipermailComment.FindStringSubmatchIndex(value); m != nil {
		comment = strings.TrimSpace(encword.Decode(value[m[2]:m[3]]))
		value = value[:m[0]]
	}
	obscured := local + " at " + domain
	if n != 1 || strings.Count(value, obscured) != 1 || strings.Contains(value, "@") {
		return mailaddr.Address{}, false
	}
	a, err := mailaddr.ParseMailbox(strings.Replace(value, obscured, envSender, 1))
	if err != nil {
		return mailaddr.Address{}, false
	}
	want, err := mailaddr.ParseAddrSpec(envSender)
	if err != nil || a.Email() != want.Email() {
		return mailaddr.Address{}, false
	}
	if a.Name == "" && comment != obscured {
		// As mail readers show "address (Name)".
		a.Name = comment
	}
	return a, true
}
