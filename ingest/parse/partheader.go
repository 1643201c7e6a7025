package parse

import (
	"maps"
	"net/textproto"
	"slices"

	"github.com/jhillyerd/enmime/v2"
)

// readPartHeader is readParts(rawParser, head) for a part's header alone,
// remembering its results like parseMediaType: the same header (a text
// body's "Content-Type: text/plain; charset=utf-8" and transfer encoding,
// written the same way by one mail client in every message) gives the
// same part, and enmime reads each header through two buffers of its own
// (a third of what the parse workers allocated). Each caller gets its own
// copy of the part (clonePart), which readLeaf and enmime then fill in.
func readPartHeader(head []byte) (*enmime.Part, error) {
	if len(head) > maxCachedPartHeader {
		return readParts(rawParser, head)
	}
	if cached, ok := partHeaders.get(string(head)); ok {
		return clonePart(cached), nil
	}
	part, err := readParts(rawParser, head)
	if err != nil || part.FirstChild != nil {
		return part, err
	}
	partHeaders.put(string(head), clonePart(part))
	return part, nil
}

const (
	// maxCachedPartHeader is the longest part header remembered.
	maxCachedPartHeader = 512
	// maxCachedPartHeaders bounds the cache: at most about 1 MB.
	maxCachedPartHeaders = 1024
)

var partHeaders = newMemo[*enmime.Part](maxCachedPartHeaders)

// clonePart copies a part read from a header alone (no children, no
// content to speak of) so that nothing the copy's user changes reaches p:
// the maps and slices are copied, the rest are values.
func clonePart(p *enmime.Part) *enmime.Part {
	c := *p
	if p.Header != nil {
		c.Header = make(textproto.MIMEHeader, len(p.Header))
		for k, v := range p.Header {
			c.Header[k] = slices.Clone(v)
		}
	}
	c.ContentTypeParams = maps.Clone(p.ContentTypeParams)
	c.Errors = make([]*enmime.Error, len(p.Errors))
	for i, e := range p.Errors {
		copied := *e
		c.Errors[i] = &copied
	}
	if p.Errors == nil {
		c.Errors = nil
	}
	c.Content = slices.Clone(p.Content)
	c.Epilogue = slices.Clone(p.Epilogue)
	return &c
}
