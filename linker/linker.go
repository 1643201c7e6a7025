// Package linker decides what a filed message is linked to, and carries
// out manual linking, following the reference product's rules:
//
//   - persons: every participant address (From, To, Cc, Reply-To) that
//     belongs to a person, never the company's own users or Bcc addresses;
//   - item addresses: mail sent to a deal's or lead's Bcc address is linked
//     to that item whatever the auto-link setting (how = bcc);
//   - threads: a message joining a thread that belongs to an item is
//     linked to that item (how = thread);
//   - auto-link (per user): the open deal, lead and project of the linked
//     persons, but only when there is exactly one open item of that kind;
//     won, lost and deleted items are never linked automatically;
//   - a removed (deleted) item's Bcc address is refused like an unknown
//     token and its threads no longer pass it on; a lead converted to a
//     deal passes the deal on, through its address and its threads.
//
// A thread belongs to at most one deal, one lead and one project.
package linker

import (
	"fmt"
	"sort"
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// Input is what Plan needs to know about one message.
type Input struct {
	Owner        *store.User
	Thread       *store.Thread // the thread the message joins (may be new: ID 0)
	Participants []store.Participant
	// BccItems are the deals and leads whose own address the mail went to.
	BccItems []store.Item
	// Internal reports addresses that must never become or match persons:
	// the company's users and its Bcc addresses.
	Internal func(email string) bool
	// ListMail is set for mailing-list traffic: no persons are created.
	ListMail bool
}

// Plan is the linking decision for one message.
type Plan struct {
	Links []store.Link
	// ThreadItems are the items the thread should belong to afterwards.
	ThreadItems map[store.ItemKind]int64
	// NewPersons are created (and linked) when the owner's create-persons
	// setting is on.
	NewPersons []*store.Person
	// Explain says why each link was or was not made.
	Explain []string
}

func (p *Plan) explainf(format string, args ...any) {
	p.Explain = append(p.Explain, fmt.Sprintf(format, args...))
}

func (p *Plan) add(kind store.ItemKind, id int64, how string) {
	for _, l := range p.Links {
		if l.Kind == kind && l.ItemID == id {
			return
		}
	}
	p.Links = append(p.Links, store.Link{Kind: kind, ItemID: id, How: how})
}

func (p *Plan) has(kind store.ItemKind) bool {
	for _, l := range p.Links {
		if l.Kind == kind {
			return true
		}
	}
	return false
}

// personRoles are the participant roles that link persons.
var personRoles = map[string]bool{store.RoleFrom: true, store.RoleTo: true, store.RoleCc: true, store.RoleReplyTo: true}

// Plan decides the links of a message. It only reads from tx.
func MakePlan(tx store.Tx, in Input) (*Plan, error) {
	p := &Plan{ThreadItems: map[store.ItemKind]int64{}}
	// What new mail in the thread inherits: not a removed item, and the
	// deal of a converted lead (unless the thread has its own deal).
	inherited := map[store.ItemKind]int64{}
	if in.Thread != nil {
		for _, k := range store.ItemKinds { // deals first
			id := in.Thread.ItemID(k)
			if id == 0 {
				continue
			}
			p.ThreadItems[k] = id
			lk, lid, why, err := liveThreadItem(tx, k, id)
			if err != nil {
				return nil, err
			}
			switch {
			case lid == 0:
				p.explainf("%s %d: the thread belongs to it, but it was removed, so it is not linked", k, id)
			case inherited[lk] != 0:
				p.explainf("%s %d: the thread belongs to it, but it was converted to deal %d and the thread has deal %d", k, id, lid, inherited[lk])
			default:
				if why != "" {
					p.explainf("%s %d: the thread belongs to it, and it was converted to %s %d", k, id, lk, lid)
					if p.ThreadItems[lk] == 0 {
						p.ThreadItems[lk] = lid
					}
				}
				inherited[lk] = lid
			}
		}
	}

	// 1. Item addresses.
	for _, it := range in.BccItems {
		p.add(it.Kind, it.ID, store.HowBcc)
		p.explainf("%s %d: sent to its Bcc address", it.Kind, it.ID)
		if cur := p.ThreadItems[it.Kind]; cur == 0 {
			p.ThreadItems[it.Kind] = it.ID
		} else if cur != it.ID {
			p.explainf("thread already belongs to %s %d; it keeps that, this message is linked to both", it.Kind, cur)
		}
	}

	// 2. Thread inheritance.
	for _, k := range store.ItemKinds {
		id := inherited[k]
		if id == 0 || p.has(k) {
			continue // none, or an item address already linked one
		}
		p.add(k, id, store.HowThread)
		p.explainf("%s %d: the thread belongs to it", k, id)
	}

	// 3. Persons by participant address.
	emails := participantEmails(in)
	persons, err := tx.PersonsByEmails(emails)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, per := range persons {
		p.add(store.KindPerson, per.ID, store.HowPerson)
		for _, e := range per.Emails {
			known[store.CanonicalEmail(e)] = true
		}
		p.explainf("person %d (%s): a participant address is theirs", per.ID, per.Name)
	}
	if len(emails) == 0 {
		p.explainf("no participant other than the company's own addresses")
	}

	// 4. Unknown participants may become persons.
	if in.Owner != nil && in.Owner.Settings.CreatePersons {
		for _, part := range in.Participants {
			e := store.CanonicalEmail(part.Email)
			// A participant known only by a name (an inline forward's
			// "To: Ann Seller/Sales/Acme", a recipient no reader reads an
			// address in) has no address: a person made of it would have
			// none, match no later mail, and be made again by each one.
			if e == "" || !personRoles[part.Role] || known[e] || (in.Internal != nil && in.Internal(e)) {
				continue
			}
			if in.ListMail {
				p.explainf("%s not made a person: mailing-list mail", e)
				continue
			}
			if IsMachineAddress(e) {
				p.explainf("%s not made a person: a machine address", e)
				continue
			}
			known[e] = true
			p.NewPersons = append(p.NewPersons, &store.Person{Name: personName(part), Emails: []string{e}})
			p.explainf("%s: new person (create-persons is on)", e)
		}
	}

	// 5. Auto-link to the persons' single open items.
	switch {
	case in.Owner == nil || !in.Owner.Settings.AutoLink:
		p.explainf("auto-link is off for the owner: no deal, lead or project linked through persons")
	case len(persons) == 0:
		p.explainf("auto-link: no linked person, so nothing to link through")
	default:
		if err := p.autoLink(tx, persons); err != nil {
			return nil, err
		}
	}
	for k, id := range p.ThreadItems {
		if id == 0 {
			delete(p.ThreadItems, k)
		}
	}
	return p, nil
}

func (p *Plan) autoLink(tx store.Tx, persons []store.Person) error {
	for _, kind := range store.ItemKinds {
		if p.has(kind) {
			p.explainf("auto-link %s: already linked by address or thread", kind)
			continue
		}
		candidates := map[int64]bool{}
		ambiguous := false
		for _, per := range persons {
			items, err := tx.ItemsOfPerson(kind, per.ID)
			if err != nil {
				return err
			}
			var open []store.Item
			for _, it := range items {
				if it.Status == store.StatusOpen {
					open = append(open, it)
				}
			}
			switch len(open) {
			case 0:
				if len(items) > 0 {
					p.explainf("auto-link %s: person %d has no open %s (%d won, lost or deleted are never auto-linked)", kind, per.ID, kind, len(items))
				} else {
					p.explainf("auto-link %s: person %d has no %s", kind, per.ID, kind)
				}
			case 1:
				candidates[open[0].ID] = true
			default:
				ambiguous = true
				p.explainf("auto-link %s: person %d has %d open %ss, so none is chosen", kind, per.ID, len(open), kind)
			}
		}
		if ambiguous {
			continue
		}
		switch len(candidates) {
		case 0:
		case 1:
			for id := range candidates {
				p.add(kind, id, store.HowAuto)
				if p.ThreadItems[kind] == 0 {
					p.ThreadItems[kind] = id
				}
				p.explainf("auto-link %s %d: the only open %s of the linked person", kind, id, kind)
			}
		default:
			ids := make([]int64, 0, len(candidates))
			for id := range candidates {
				ids = append(ids, id)
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			p.explainf("auto-link %s: the linked persons have different open %ss %v, so none is chosen", kind, kind, ids)
		}
	}
	return nil
}

func participantEmails(in Input) []string {
	seen := map[string]bool{}
	var out []string
	for _, part := range in.Participants {
		e := store.CanonicalEmail(part.Email)
		if !personRoles[part.Role] || e == "" || seen[e] || (in.Internal != nil && in.Internal(e)) {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	return out
}

func personName(part store.Participant) string {
	if n := strings.TrimSpace(part.Name); n != "" && !strings.Contains(n, "@") {
		return n
	}
	local := part.Email
	if at := strings.IndexByte(local, '@'); at > 0 {
		local = local[:at]
	}
	return local
}

// machineLocalParts are local parts of addresses no human reads.
var machineLocalParts = []string{
	"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
	"mailer-daemon", "postmaster", "bounce", "bounces", "notifications", "notification",
	"listserv", "majordomo", "mailman", "owner-", "-owner", "-request", "-bounces",
}

// IsMachineAddress reports addresses of robots and mailing lists.
func IsMachineAddress(email string) bool {
	local := strings.ToLower(email)
	if at := strings.IndexByte(local, '@'); at >= 0 {
		local = local[:at]
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	for _, m := range machineLocalParts {
		switch {
		case strings.HasPrefix(m, "-"):
			if strings.HasSuffix(local, m) {
				return true
			}
		case strings.HasSuffix(m, "-"):
			if strings.HasPrefix(local, m) {
				return true
			}
		case local == m || strings.HasPrefix(local, m+"-") || strings.HasPrefix(local, m+"."):
			return true
		}
	}
	return false
}

// Apply carries out a plan for the stored message msgID inside tx and
// returns the links that were new.
func Apply(tx store.Tx, msgID, threadID int64, p *Plan) ([]store.Link, error) {
	for _, per := range p.NewPersons {
		if err := tx.CreatePerson(per); err != nil {
			return nil, err
		}
		p.add(store.KindPerson, per.ID, store.HowPerson)
	}
	var added []store.Link
	for _, l := range p.Links {
		l.MessageID = msgID
		ok, err := tx.AddLink(l)
		if err != nil {
			return nil, err
		}
		if ok {
			added = append(added, l)
		}
	}
	if threadID != 0 {
		th, err := tx.Thread(threadID)
		if err != nil {
			return nil, err
		}
		for kind, id := range p.ThreadItems {
			if th.ItemID(kind) == 0 {
				if err := tx.SetThreadItem(threadID, kind, id); err != nil {
					return nil, err
				}
			}
		}
	}
	return added, nil
}
