package store

import (
	"strings"
	"testing"
)

// Preparing a message again after PrepareForInsert cleans whatever changed
// since: a body replaced by bad text of the same length, or a copy of the
// message given a new body, is not taken for the body prepared before.
func TestPrepareMessageAgain(t *testing.T) {
	good := strings.Repeat("clean text ", 100)
	cases := []struct {
		name  string
		apply func(m *Message) *Message
		body  func(m *Message) string
	}{
		{"unchanged", func(m *Message) *Message { return m }, func(m *Message) string { return m.TextBody }},
		{"same length, bad bytes", func(m *Message) *Message {
			m.TextBody = "\xff" + good[1:]
			return m
		}, func(m *Message) string { return m.TextBody }},
		{"copy given a new body", func(m *Message) *Message {
			c := *m
			c.TextBody = good + "\xc3"
			return &c
		}, func(m *Message) string { return m.TextBody }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &Message{TextBody: good}
			PrepareForInsert(m)
			if m.Search == nil || !strings.HasPrefix(m.Search.Body, "clean text clean") {
				t.Fatalf("PrepareForInsert: Search = %+v, want the body's tokens", m.Search)
			}
			m = c.apply(m)
			PrepareMessage(m)
			got := c.body(m)
			if got != CleanText(got) || strings.ContainsRune(got, 0) {
				t.Errorf("after preparing again: %.30q..., want the bad bytes replaced by U+FFFD", got)
			}
			if c.name == "unchanged" && got != good {
				t.Errorf("unchanged body became %.30q...", got)
			}
		})
	}
}
