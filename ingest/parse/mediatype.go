package parse

import (
	"maps"
	"slices"
	"strings"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// MediaType reads a Content-Type value as the MIME structure is read
// (parseMediaType): the media type in lower case and its parameters, ""
// when none can be read. For decisions about a message's kind (ingest's
// noise), so that they read the field as the body is split.
func MediaType(value string) (mtype string, params map[string]string) {
	mtype, params, _, err := parseMediaType(value)
	if err != nil {
		return "", nil
	}
	return strings.ToLower(mtype), params
}

// parseMediaType is enmime's mediatype.Parse, remembering its results,
// with RFC 2231 values in other charsets than UTF-8 made UTF-8 first
// (utf8Params).
//
// Why: enmime repairs every Content-Type and Content-Disposition value
// before Go's mime.ParseMediaType reads it (four rewriting passes, each
// allocating), and it parses the same value several times per part
// (reading the header, then deciding multipart, binary and text bodies).
// The values themselves repeat across messages ("text/plain;
// charset=utf-8", "inline"). On the reference corpus this was 0.7 s of the
// parse workers' CPU per 20,000 messages.
//
// The result depends on the value only, so a remembered one is the same;
// each caller gets its own copy of the parameters, which enmime's callers
// may change.
func parseMediaType(value string) (mtype string, params map[string]string, invalid []string, err error) {
	if len(value) > maxCachedMediaType {
		return mediatype.Parse(utf8Params(value))
	}
	r, ok := mediaTypes.get(value)
	if !ok {
		r.mtype, r.params, r.invalid, r.err = mediatype.Parse(utf8Params(value))
		mediaTypes.put(value, r)
	}
	return r.mtype, maps.Clone(r.params), slices.Clone(r.invalid), r.err
}

const (
	// maxCachedMediaType is the longest value remembered: longer ones are
	// rarely seen twice.
	maxCachedMediaType = 256
	// maxCachedMediaTypes bounds the cache: at most 256 KB of values.
	maxCachedMediaTypes = 1024
)

type mediaTypeResult struct {
	mtype   string
	params  map[string]string
	invalid []string
	err     error
}

var mediaTypes = newMemo[mediaTypeResult](maxCachedMediaTypes)
