package parse

import (
	"fmt"
)

// AttachmentContent decodes attachment index (as numbered in
// Message.Attachments) from the raw message. The store keeps attachment
// metadata only; the content lives once, in the raw bytes.
func AttachmentContent(raw []byte, index int, lim Limits) ([]byte, error) {
	m, err := Parse(raw, lim)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(m.Attachments) {
		return nil, fmt.Errorf("the message has no attachment %d (it has %d)", index, len(m.Attachments))
	}
	return m.Attachments[index].Content, nil
}
