package store

// Cleaning of the lists a backend turns into one query (IN lists, arrays):
// both backends clean them alike, so that they answer alike.

// CleanUnique returns values as norm makes them, empty and repeated ones
// dropped, in their first order.
func CleanUnique(values []string, norm func(string) string) []string {
	seen := make(map[string]bool, len(values))
	out := make([]string, 0, len(values))
	for _, v := range values {
		v = norm(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// UniqueEmails returns emails in canonical form, blank and repeated ones
// dropped, in their first order (nil when none is left).
func UniqueEmails(emails []string) []string {
	out := CleanUnique(emails, CanonicalEmail)
	if len(out) == 0 {
		return nil
	}
	return out
}

// CleanSubjectEmails returns the pairs of a SubjectThreads question as the
// store keeps subjects and addresses, pairs with an empty side and
// repeated ones dropped, in their first order.
func CleanSubjectEmails(pairs []SubjectEmail) []SubjectEmail {
	seen := make(map[SubjectEmail]bool, len(pairs))
	out := make([]SubjectEmail, 0, len(pairs))
	for _, p := range pairs {
		q := SubjectEmail{Subject: CleanText(p.Subject), Email: CanonicalEmail(p.Email)}
		if q.Subject == "" || q.Email == "" || seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, q)
	}
	return out
}

// manySubjectAddresses is how many addresses one subject may be asked
// with before SplitSubjectEmails puts it with the many.
const manySubjectAddresses = 32

// SubjectEmails is one subject of a SubjectThreads question with all the
// addresses it is asked with.
type SubjectEmails struct {
	Subject string
	Emails  []string
}

// SplitSubjectEmails cleans the pairs of a SubjectThreads question
// (CleanSubjectEmails) and splits them as the backends answer them. A
// subject asked with more than 32 addresses (a message with a long
// recipient list) goes to many: its threads' participants are read in one
// pass, since asked pair by pair each of 20,000 addresses went over the
// 20,000 participants of the subject's first message (minutes for one
// all-staff announcement, or an attacker's 1 MB Cc field). The other
// pairs go to few, asked pair by pair: a lookup that stops at the first
// thread with the address. Subjects keep their first order.
func SplitSubjectEmails(pairs []SubjectEmail) (many []SubjectEmails, few []SubjectEmail) {
	pairs = CleanSubjectEmails(pairs)
	var order []string
	bySubject := map[string][]string{}
	for _, p := range pairs {
		if _, ok := bySubject[p.Subject]; !ok {
			order = append(order, p.Subject)
		}
		bySubject[p.Subject] = append(bySubject[p.Subject], p.Email)
	}
	for _, subj := range order {
		es := bySubject[subj]
		if len(es) > manySubjectAddresses {
			many = append(many, SubjectEmails{Subject: subj, Emails: es})
			continue
		}
		for _, e := range es {
			few = append(few, SubjectEmail{Subject: subj, Email: e})
		}
	}
	return many, few
}
