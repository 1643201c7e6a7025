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
