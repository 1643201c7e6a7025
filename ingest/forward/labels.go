package forward

import (
	"strings"
	"unicode/utf8"

	"github.com/smartbcc/smartbcc/ingest/subject"
)

// field is what a header label in a forward block means.
type field int

const (
	fieldNone field = iota
	fieldFrom
	fieldTo
	fieldCc
	fieldBcc
	fieldDate // "Date" and "Sent" alike
	fieldSubject
	fieldOther // known but unused (Reply-To, Importance, ...): part of the block
)

// labels maps folded header labels, as clients write them in every
// language of clientStrings and a few more seen in forwards, to fields;
// labelLangs to the languages whose clients write them, which tell the
// date parser which calendar to try first. Short words such as "a", "an",
// "de", "da" are safe only because they are looked up inside a block,
// never in free text.
var (
	labels     = map[string]field{}
	labelLangs = map[string][]string{}
	// labelConflicts lists labels that mean different fields in different
	// languages; the first meaning wins. A test keeps it empty.
	labelConflicts []string
)

// Separator phrases, folded, with the languages that write them.
var (
	forwardPhrases  = map[string][]string{} // "Forwarded message" between dashes
	originalPhrases = map[string][]string{} // "Original message" between dashes
	introPhrases    = map[string][]string{} // "Begin forwarded message" lines
)

func init() {
	addLabel := func(f field, lang, w string) {
		w = fold(w)
		if w == "" {
			return
		}
		if old, ok := labels[w]; ok && old != f {
			labelConflicts = append(labelConflicts, w)
		} else if !ok {
			labels[w] = f
		}
		if lang != "" && !containsString(labelLangs[w], lang) {
			labelLangs[w] = append(labelLangs[w], lang)
		}
	}
	addPhrase := func(m map[string][]string, lang, p string) {
		p = fold(p)
		if p != "" && !containsString(m[p], lang) {
			m[p] = append(m[p], lang)
		}
	}
	for _, c := range clientStrings {
		for f, w := range map[field]string{fieldFrom: c.from, fieldTo: c.to, fieldCc: c.cc, fieldBcc: c.bcc,
			fieldDate: c.date, fieldSubject: c.subject, fieldOther: c.replyTo} {
			addLabel(f, c.lang, w)
		}
		addLabel(fieldDate, c.lang, c.sent)
		addPhrase(forwardPhrases, c.lang, c.forward)
		addPhrase(originalPhrases, c.lang, c.original)
		addPhrase(introPhrases, c.lang, c.intro)
		for _, t := range c.wrote {
			if v := wroteVerb(t); v != "" && !containsString(wroteVerbs, v) {
				wroteVerbs = append(wroteVerbs, v)
			}
		}
	}
	// Labels seen in forwards of clients that publish no strings (classic
	// Outlook in particular) and in earlier cases of this package.
	add := func(f field, words ...string) {
		for _, w := range words {
			addLabel(f, "", w)
		}
	}
	add(fieldFrom, "from", "von", "de", "fra", "van", "od", "lähettäjä", "feladó",
		"šalje", "saatja", "від", "від кого", "от", "от кого", "de la", "expeditorul",
		"送信元", "差出人", "发件人", "寄件者", "寄件人", "mittente", "da", "nadawca",
		"från", "avsändare", "afsender", "kimden", "gönderen", "odesílatel", "absender",
		"sender")
	add(fieldTo, "to", "an", "à", "a", "para", "til", "aan", "komu", "pre", "prima",
		"címzett", "vastaanottaja", "destinatarul", "către", "кому", "pour", "till",
		"do", "kime", "alıcı", "送信先", "宛先", "收件人", "收件者", "mottaker", "mottagare",
		"empfänger", "adresát", "destinatario", "destinatari", "per", "saaja")
	add(fieldCc, "cc", "kopie", "kopie (cc)", "cc (kopie)", "kopi", "kopio", "copia", "cópia",
		"copie", "copie à", "másolat", "másolatot kap", "kópia", "копія", "копия", "kopia",
		"dw", "bilgi", "抄送", "副本", "koopia", "kopija", "cc/kopie")
	add(fieldBcc, "bcc", "blindkopie", "bcc (blindkopie)", "cci", "cco", "copia oculta",
		"skjult kopi", "dold kopia", "piilokopio", "titkos másolat", "密送", "ukryta kopia",
		"skrytá kopie", "скрытая копия")
	add(fieldDate, "date", "datum", "dato", "fecha", "data", "päivämäärä", "päiväys",
		"dátum", "дата", "dată", "日付", "日期", "tarih", "kuupäev", "sent", "gesendet",
		"sendt", "envoyé", "enviado", "enviada", "verzonden", "odoslané", "odesláno",
		"elküldve", "lähetetty", "trimis", "відправлено", "отправлено", "skickat",
		"wysłano", "inviato", "gönderildi", "送信日時", "发送时间", "寄件日期", "saadetud",
		"poslano", "date sent", "sent date", "enviado el", "inviato il", "envoyé le")
	add(fieldSubject, "subject", "betreff", "emne", "asunto", "assunto", "objet", "sujet",
		"onderwerp", "predmet", "aihe", "tárgy", "тема", "subiect", "subiectul", "naslov",
		"oggetto", "ämne", "temat", "konu", "předmět", "件名", "主题", "主旨", "teema", "subj")
	add(fieldOther, "reply-to", "antwort an", "répondre à", "responder a", "importance",
		"wichtigkeit", "priority", "attachments", "anlagen", "pièces jointes", "sensitivity",
		"reply to")
	// Classic Outlook's "-----Original Message-----" and its translations,
	// and the phrases of clients that publish no strings.
	for _, p := range []string{"original message", "ursprüngliche nachricht", "message d'origine",
		"mensaje original", "mensagem original", "oorspronkelijk bericht", "alkuperäinen viesti",
		"opprinnelig melding", "oprindelig meddelelse", "originalmeddelande", "ursprungligt meddelande",
		"messaggio originale", "wiadomość oryginalna", "oryginalna wiadomość", "původní zpráva",
		"pôvodná správa", "исходное сообщение", "eredeti üzenet", "原始邮件", "元のメッセージ",
		"原始郵件", "원본 메시지", "originalnachricht", "mesaj original", "özgün ileti",
		"αρχικό μήνυμα", "оригінальне повідомлення"} {
		addPhrase(originalPhrases, "", p)
	}
	for _, p := range []string{"forwarded message", "forwarded message follows"} {
		addPhrase(forwardPhrases, "", p)
	}
}

// wroteVerb is the longest literal part of an attribution template
// ("schrieb" of "Am %d um %t schrieb %n:", "a écrit" of "Le %d à %t, %n a
// écrit :", "napisal" of "%n je %d ob %t napisal:"): what an attribution
// line in that language must contain. Short parts ("je", "ar", "على") are
// prepositions that prose is full of, so the longest part is taken.
func wroteVerb(t string) string {
	best := ""
	for _, part := range strings.FieldsFunc(t, func(r rune) bool { return r == '%' }) {
		// Each part after the first starts with the placeholder letter.
		if part != t && len(part) > 0 && strings.ContainsRune("dtn", rune(part[0])) && strings.Contains(t, "%"+part[:1]) {
			part = part[1:]
		}
		part = strings.Trim(part, " ,:.\u00a0、，：")
		if utf8.RuneCountInString(part) > utf8.RuneCountInString(best) {
			best = part
		}
	}
	if n := utf8.RuneCountInString(best); n < 2 || (n < 3 && !isCJK([]rune(best)[0]) && best[0] < 0x80) {
		return ""
	}
	return fold(best)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// forwardStems are fragments of the words that introduce a forward in
// separators like "-------- Weitergeleitete Nachricht --------" or
// "Début du message réexpédié :", for the wordings no table holds.
var forwardStems = []string{
	"forward", "fwd", "weitergeleit", "videresend", "vidarebefordra", "transféré",
	"transfere", "transmis", "réexpédi", "reenviad", "reencaminhad", "encaminhad",
	"doorgestuurd", "välitetty", "edelleenlähetetty", "továbbított", "proslijeđen",
	"preposlan", "přeposlan", "redirecționat", "redirectionat", "пересила", "пересла",
	"переслан", "переадрес", "inoltrat", "przekazan", "przekazyw", "iletilen", "iletilmiş",
	"yönlendiril", "転送", "转发", "轉寄", "轉發", "전달", "προωθ", "препрат", "прослеђен",
	"proslijeđ", "posredovan", "pārsūt", "persiųst", "edastatud", "továbbít", "reenviat",
	"diteruskan", "terusan", "dikirim semula", "kiriman semula", "chuyển tiếp", "ส่งต่อ",
	"הועבר", "توجيه", "ممرّرة", "ممررة", "باز ارسال", "अग्रेषित", "ফরোয়ার্ড", "فارورڈ",
	"ipinasa", "ar aghaidh", "переслане", "перенаправ",
}

func init() {
	for i, st := range forwardStems {
		forwardStems[i] = fold(st)
	}
}

func containsAny(s string, stems []string) bool {
	s = fold(s)
	for _, st := range stems {
		if strings.Contains(s, st) {
			return true
		}
	}
	return false
}

func isForwardSubject(s string) bool { return subject.IsForward(s) }
func isReplySubject(s string) bool   { return subject.IsReply(s) }

// Mail clients, as clientStrings names them.
const (
	clientThunderbird        = "thunderbird"
	clientThunderbirdAndroid = "thunderbird_android"
	clientAndroidEmail       = "android_email"
	clientAndroidUnified     = "android_unified"
	clientProtonMail         = "protonmail"
	clientAppleMail          = "apple_mail"
	clientGmail              = "gmail"
	clientOutlook            = "outlook"
	clientYahoo              = "yahoo"
)

// clientWords is one client's words in one language (clientstrings.go).
type clientWords struct {
	client, lang string
	// Separators: "Begin forwarded message:" lines, and the phrases
	// between dashes of "-------- Forwarded Message --------" and
	// "-------- Original Message --------".
	intro, forward, original string
	// Header labels, without the colon.
	from, to, cc, bcc, replyTo, date, sent, subject string
	// Attribution lines: %d date, %t time, %n author.
	wrote []string
}
