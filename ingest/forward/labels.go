package forward

import (
	"strings"

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

// labels maps lower-cased header labels, as clients write them in many
// languages, to fields. Short words such as "a", "an", "de", "da" are safe
// only because they are looked up inside a block, never in free text.
var labels = map[string]field{}

func init() {
	add := func(f field, words ...string) {
		for _, w := range words {
			labels[w] = f
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
		"poslano", "date sent", "sent date")
	add(fieldSubject, "subject", "betreff", "emne", "asunto", "assunto", "objet", "sujet",
		"onderwerp", "predmet", "aihe", "tárgy", "тема", "subiect", "subiectul", "naslov",
		"oggetto", "ämne", "temat", "konu", "předmět", "件名", "主题", "主旨", "teema", "subj")
	add(fieldOther, "reply-to", "antwort an", "répondre à", "responder a", "importance",
		"wichtigkeit", "priority", "attachments", "anlagen", "pièces jointes", "sensitivity",
		"reply to")
}

// forwardStems are fragments of the words that introduce a forward in
// separators like "-------- Weitergeleitete Nachricht --------" or
// "Début du message réexpédié :".
var forwardStems = []string{
	"forward", "fwd", "weitergeleit", "videresend", "vidarebefordra", "transféré",
	"transfere", "transmis", "réexpédi", "reenviad", "reencaminhad", "encaminhad",
	"doorgestuurd", "välitetty", "edelleenlähetetty", "továbbított", "proslijeđen",
	"preposlan", "přeposlan", "redirecționat", "redirectionat", "пересила", "пересла",
	"переслан", "переадрес", "inoltrat", "przekazan", "przekazyw", "iletilen",
	"yönlendiril", "転送", "转发", "轉寄", "轉發", "전달",
}

// originalStems name the "Original Message" separator, which Outlook and
// others write above quoted history in replies as well as in forwards.
var originalStems = []string{
	"original message", "ursprüngliche nachricht", "message d'origine",
	"mensaje original", "mensagem original", "oorspronkelijk bericht",
	"alkuperäinen viesti", "opprinnelig melding", "oprindelig meddelelse",
	"originalmeddelande", "messaggio originale", "wiadomość oryginalna",
	"původní zpráva", "pôvodná správa", "исходное сообщение", "eredeti üzenet",
	"原始邮件", "元のメッセージ", "原始郵件", "originalnachricht",
}

func containsAny(s string, stems []string) bool {
	s = strings.ToLower(s)
	for _, st := range stems {
		if strings.Contains(s, st) {
			return true
		}
	}
	return false
}

func isForwardSubject(s string) bool { return subject.IsForward(s) }
func isReplySubject(s string) bool   { return subject.IsReply(s) }
