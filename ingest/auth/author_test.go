package auth

import (
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/ingest/parse"
)

// authorOf reads the author as ingest does (one strict reading).
func authorOf(raw []byte) (mailaddr.Address, error) {
	fs, _ := parse.ReadFields(raw)
	return mailaddr.Author(fs)
}

// withAuthor fills in.From from in.Raw, as ingest's Prepare does.
func withAuthor(in Input) Input {
	in.From, in.FromError = authorOf(in.Raw)
	return in
}

// trustAuthResults is TrustAuthResults with the author read as ingest does.
func trustAuthResults(raw []byte, id string) (*Verdict, error) {
	a, err := authorOf(raw)
	return TrustAuthResults(raw, a, err, id)
}
