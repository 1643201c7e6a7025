package forward

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The fixtures of crisp-oss/email-forward-parser: one forward per file,
// every one forwarding the same original, so the expected values are
// constants. The pairing of bodies with subject files and which fields
// each group checks follow that project's test suite.
const corpusDir = "../../../shared/corpora/email-forward-parser/test/fixtures"

const (
	cSubject = "Integer consequat non purus"
	cBody    = "Aenean quis diam urna. Maecenas eleifend vulputate ligula ac consequat. Pellentesque cursus tincidunt mauris non venenatis.\nSed nec facilisis tellus. Nunc eget eros quis ex congue iaculis nec quis massa. Morbi in nisi tincidunt, euismod ante eget, eleifend nisi.\n\nPraesent ac ligula orci. Pellentesque convallis suscipit mi, at congue massa sagittis eget."
)

var (
	cFrom     = Address{"John Doe", "john.doe@acme.com"}
	bessie    = Address{"", "bessie.berry@acme.com"}
	suzanne   = Address{"", "suzanne@globex.corp"}
	walter    = Address{"Walter Sheltan", "walter.sheltan@acme.com"}
	nicholas  = Address{"Nicholas", "nicholas@globex.corp"}
	commonTo  = []Address{bessie}
	commonCc  = []Address{walter, nicholas}
	noAddress = []Address{}
)

// corpusCase is one fixture and what the original library expects of it.
// A nil To/Cc is not checked; Body "" means the common body.
type corpusCase struct {
	body, subject string
	notForwarded  bool
	from          Address
	to, cc        []Address
	toEmailsOnly  bool // compare addresses, not names
	wantBody      func(raw string) string
}

func corpusCases() []corpusCase {
	var cs []corpusCase
	common := []string{}
	for _, lang := range []string{"cs", "da", "de", "en", "es", "fi", "fr", "hr", "hu", "it", "nl", "no", "pl", "pt_br", "pt", "ro", "ru", "sk", "sv", "tr", "uk"} {
		common = append(common, "apple_mail_"+lang+"_body", "thunderbird_"+lang+"_body", "yahoo_"+lang+"_body")
	}
	for _, lang := range []string{"cs", "da", "de", "en", "es", "et", "fi", "fr", "hr", "hu", "it", "nl", "no", "pl", "pt_br", "pt", "ro", "ru", "sk", "sv", "tr", "uk"} {
		common = append(common, "gmail_"+lang+"_body")
	}
	for _, lang := range []string{"de", "en", "es", "fi", "fr", "it", "ja", "nl", "pl", "pt_br", "sv"} {
		common = append(common, "hubspot_"+lang+"_body")
	}
	common = append(common, "ionos_one_and_one_en_body", "missive_en_body", "mailmate_en_body")
	for _, lang := range []string{"cs", "da", "de", "en", "es", "fr", "hr", "hu", "it", "nl", "no", "pl", "pt_br", "pt", "ro", "sk", "sv"} {
		common = append(common, "outlook_live_body,outlook_live_"+lang+"_subject")
	}
	common = append(common, "outlook_2013_en_body,outlook_2013_en_subject")
	for _, lang := range []string{"cs", "da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pl", "pt_br", "pt", "ru", "sk", "sv", "tr"} {
		common = append(common, "new_outlook_2019_"+lang+"_body,new_outlook_2019_"+lang+"_subject")
	}
	for _, lang := range []string{"cz", "da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pl", "pt", "ru", "sk", "sv", "tr"} {
		common = append(common, "outlook_2019_"+lang+"_body,outlook_2019_subject")
	}
	for _, e := range common {
		c := entry(e)
		c.from, c.to, c.cc = cFrom, commonTo, commonCc
		if strings.HasPrefix(c.body, "outlook_2019_") {
			c.to, c.cc = nil, nil // Outlook 2019 does not write them
		}
		if strings.HasPrefix(c.body, "ionos_") {
			c.cc = nil
		}
		cs = append(cs, c)
	}
	variant := func(n string, entries []string, f func(*corpusCase)) {
		for _, e := range entries {
			c := entry(e)
			c.from = cFrom
			f(&c)
			cs = append(cs, c)
		}
	}
	variant("1", []string{"apple_mail_en_body_variant_1", "gmail_en_body_variant_1", "hubspot_en_body_variant_1",
		"missive_en_body_variant_1", "outlook_live_en_body_variant_1,outlook_live_en_subject",
		"new_outlook_2019_en_body_variant_1,new_outlook_2019_en_subject", "yahoo_en_body_variant_1",
		"thunderbird_en_body_variant_1", "mailmate_en_body_variant_1"}, func(c *corpusCase) {
		c.to, c.cc = []Address{bessie, suzanne}, noAddress
	})
	variant("2", []string{"apple_mail_en_body_variant_2", "gmail_en_body_variant_2", "hubspot_en_body_variant_2",
		"ionos_one_and_one_en_body_variant_2", "missive_en_body_variant_2",
		"outlook_live_en_body_variant_2,outlook_live_en_subject",
		"new_outlook_2019_en_body_variant_2,new_outlook_2019_en_subject",
		"outlook_2019_en_body_variant_2,outlook_2019_subject", "yahoo_en_body_variant_2",
		"thunderbird_en_body_variant_2", "mailmate_en_body_variant_2"}, func(c *corpusCase) {
		c.to, c.cc, c.toEmailsOnly = []Address{bessie, suzanne}, commonCc, true
		if strings.HasPrefix(c.body, "outlook_2019") {
			c.to, c.cc = nil, nil
		}
		if strings.HasPrefix(c.body, "ionos") {
			c.cc = nil
		}
	})
	variant("3", []string{"apple_mail_en_body_variant_3", "gmail_en_body_variant_3", "missive_en_body_variant_3",
		"outlook_live_en_body_variant_3,outlook_live_en_subject",
		"new_outlook_2019_en_body_variant_3,new_outlook_2019_en_subject", "yahoo_en_body_variant_3",
		"thunderbird_en_body_variant_3"}, func(c *corpusCase) {
		c.to = []Address{{"Bessie Berry", bessie.Email}, suzanne}
		c.cc = []Address{{"", walter.Email}, nicholas}
	})
	variant("4", []string{"apple_mail_en_body_variant_4", "gmail_en_body_variant_4", "hubspot_en_body_variant_4",
		"missive_en_body_variant_4", "outlook_live_en_body_variant_4,outlook_live_en_subject_variant_4",
		"new_outlook_2019_en_body_variant_4,new_outlook_2019_en_subject_variant_4",
		"outlook_2019_en_body_variant_4,outlook_2019_en_subject_variant_4", "yahoo_en_body_variant_4",
		"thunderbird_en_body_variant_4", "mailmate_en_body_variant_4"}, func(c *corpusCase) {
		c.notForwarded = true
	})
	variant("5", []string{"apple_mail_en_body_variant_5"}, func(c *corpusCase) {
		c.from = Address{"", cFrom.Email}
		c.to, c.cc = commonTo, commonCc
	})
	variant("6", []string{"apple_mail_en_body_variant_6"}, func(c *corpusCase) { c.to = commonTo })
	variant("7", []string{"apple_mail_en_body_variant_7"}, func(c *corpusCase) {
		c.to = []Address{{"Bessie, Berry", bessie.Email}, {"Suzanne", suzanne.Email}}
		c.cc = []Address{{"", walter.Email}, {"", nicholas.Email}}
	})
	afterSubject := func(raw string) string {
		_, after, _ := strings.Cut(raw, "Subject: "+cSubject+"\n")
		return strings.TrimSpace(after)
	}
	variant("8", []string{"outlook_live_en_body_variant_8"}, func(c *corpusCase) {
		c.subject = "outlook_live_en_subject" // the library passes none; a forward subject is what Outlook writes
		c.to, c.cc, c.toEmailsOnly = []Address{bessie, suzanne}, commonCc, true
		c.wantBody = afterSubject
	})
	variant("9", []string{"outlook_live_en_body_variant_9"}, func(c *corpusCase) {
		c.subject = "outlook_live_en_subject"
		c.to, c.cc, c.toEmailsOnly = []Address{bessie, suzanne}, commonCc, true
	})
	variant("10", []string{"outlook_live_en_body_variant_10,outlook_live_en_subject_variant_10"}, func(c *corpusCase) {
		c.to, c.cc, c.toEmailsOnly = []Address{bessie, suzanne}, commonCc, true
	})
	variant("11", []string{"outlook_live_en_body_variant_11"}, func(c *corpusCase) {
		c.subject = "outlook_live_en_subject"
		c.from = Address{"John, Doe", cFrom.Email}
		c.to = []Address{{"Bessie, Berry", bessie.Email}, suzanne}
		c.cc = []Address{{"Walter, Sheltan", walter.Email}, {"Nicholas, Landers", nicholas.Email}}
	})
	quoteRE := regexp.MustCompile(`(?m)^>+ ?`)
	variant("13", []string{"apple_mail_en_body_variant_13"}, func(c *corpusCase) {
		c.to, c.cc, c.toEmailsOnly = commonTo, commonCc, true
		c.wantBody = func(raw string) string {
			return strings.TrimSpace(quoteRE.ReplaceAllString(strings.ReplaceAll(afterSubject(raw), "\ufeff", ""), ""))
		}
	})
	// A forwarded conversation: the blocks after the first are history under
	// John Doe's message, whose subject is no forward, so John Doe is the
	// original and the body runs to the end.
	variant("14/15", []string{"gmail_en_body_variant_14", "gmail_en_body_variant_15",
		"outlook_live_en_body_variant_14,outlook_live_en_subject",
		"outlook_live_en_body_variant_15,outlook_live_en_subject",
		"new_outlook_2019_en_body_variant_14,new_outlook_2019_fr_subject",
		"new_outlook_2019_en_body_variant_14_1,new_outlook_2019_fr_subject",
		"new_outlook_2019_en_body_variant_15,new_outlook_2019_fr_subject",
		"thunderbird_en_body_variant_14", "thunderbird_en_body_variant_15"}, func(c *corpusCase) {
		c.to, c.cc = commonTo, commonCc
		sep := "Subject: " + cSubject + "\n"
		if strings.HasPrefix(c.body, "thunderbird") {
			sep = "CC: \tWalter Sheltan <walter.sheltan@acme.com>, Nicholas <nicholas@globex.corp>\n"
		}
		c.wantBody = func(raw string) string {
			_, after, _ := strings.Cut(raw, sep)
			return strings.TrimSpace(after)
		}
	})
	// Outlook wrote names without addresses. The library returns the name;
	// Unwrap deliberately refuses rather than return a sender it cannot
	// address.
	variant("12", []string{"unknown_en_body_variant_12,unknown_en_subject"}, func(c *corpusCase) {
		c.notForwarded = true
	})
	return cs
}

// entry splits "body,subject" as the library's suite writes it.
func entry(e string) corpusCase {
	b, s, _ := strings.Cut(e, ",")
	return corpusCase{body: b, subject: s}
}

func readFixture(t *testing.T, name string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(corpusDir, name+".txt"))
	if err != nil {
		return "", false
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), true
}

// corpusFloors are the pass counts per field at the time of writing; a
// drop below them is a regression.
var corpusFloors = map[string]int{
	"forwarded": 164, "from_email": 153, "from_name": 153, "subject": 152,
	"date": 153, "to": 140, "cc": 137, "body": 153, "date_parsed": 35,
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("corpus not present:", corpusDir)
	}
	pass, total := map[string]int{}, map[string]int{}
	check := func(c corpusCase, fieldName string, ok bool, got any) {
		total[fieldName]++
		if ok {
			pass[fieldName]++
		} else {
			t.Logf("%s %s: got %v", c.body+","+c.subject, fieldName, got)
		}
	}
	ran := 0
	for _, c := range corpusCases() {
		raw, ok := readFixture(t, c.body)
		if !ok {
			continue
		}
		subj := ""
		if c.subject != "" {
			if subj, ok = readFixture(t, c.subject); !ok {
				continue
			}
		}
		ran++
		o, fwd := Unwrap(Input{Subject: strings.TrimSpace(subj), Text: raw}, Options{})
		check(c, "forwarded", fwd != c.notForwarded, fwd)
		if c.notForwarded || !fwd {
			if !c.notForwarded {
				for _, f := range []string{"from_email", "from_name", "subject", "date", "body"} {
					check(c, f, false, "not forwarded")
				}
			}
			continue
		}
		check(c, "from_email", o.From.Email == c.from.Email, o.From.Email)
		check(c, "from_name", o.From.Name == c.from.Name, o.From.Name)
		check(c, "subject", o.Subject == cSubject, o.Subject)
		check(c, "date", !o.Date.IsZero() || len(o.DateText) > 1, o.DateText)
		// Informational: dates with a zone are parsed, the rest kept as text.
		total["date_parsed"]++
		if !o.Date.IsZero() {
			pass["date_parsed"]++
		}
		if c.to != nil {
			check(c, "to", sameAddresses(o.To, c.to, c.toEmailsOnly), o.To)
		}
		if c.cc != nil {
			check(c, "cc", sameAddresses(o.Cc, c.cc, false), o.Cc)
		}
		want := cBody
		if c.wantBody != nil {
			want = c.wantBody(raw)
		}
		check(c, "body", o.Body == want, o.Body)
	}
	var names []string
	for k := range total {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Logf("corpus %-10s %3d/%3d", k, pass[k], total[k])
		if pass[k] < corpusFloors[k] {
			t.Errorf("corpus %s: %d passes, floor is %d", k, pass[k], corpusFloors[k])
		}
	}
	t.Logf("corpus fixtures run: %d", ran)
}

func sameAddresses(got, want []Address, emailsOnly bool) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if got[i].Email != want[i].Email || (!emailsOnly && got[i].Name != want[i].Name) {
			return false
		}
	}
	return true
}
