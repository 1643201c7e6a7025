package parse

import (
	"reflect"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// TestReadPartHeaderMatchesEnmime checks that a remembered part header is
// enmime's, the first time and the times after, and that a caller
// changing its part changes nothing for the next one.
func TestReadPartHeaderMatchesEnmime(t *testing.T) {
	heads := []string{
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
		"Content-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: 7bit\n\n",
		"Content-Type: application/pdf; name=\"q.pdf\"\nContent-Disposition: attachment;\n filename=\"q.pdf\"\nContent-Transfer-Encoding: base64\nContent-ID: <a@b>\n\n",
		"Content-Type: text/plain; charset=\"utf-8\n\n",
		"Content-Type: image/png; name==?utf-8?q?caf=C3=A9.png?=\nContent-Disposition: inline; modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"\n\n",
		"Content-Type: text/plain;; charset=utf-8\nX-Odd: \n\n",
		"\n",
	}
	for _, h := range heads {
		want, wantErr := readParts(rawParser, []byte(h))
		for round := range 3 {
			got, err := readPartHeader([]byte(h))
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%q round %d: error %v, want %v", h, round, err, wantErr)
			}
			if err != nil {
				continue
			}
			if d := diffTree("", got, want); d != "" {
				t.Errorf("%q round %d: %s", h, round, d)
			}
			if !reflect.DeepEqual(got.ContentTypeParams, want.ContentTypeParams) {
				t.Errorf("%q round %d: params %v, want %v", h, round, got.ContentTypeParams, want.ContentTypeParams)
			}
			// What a caller does with its copy is its own.
			got.Header.Set("Content-Type", "changed/changed")
			for k := range got.ContentTypeParams {
				got.ContentTypeParams[k] = "changed"
			}
			got.Errors = append(got.Errors, &enmime.Error{Name: "changed"})
			for _, e := range got.Errors {
				e.Detail = "changed"
			}
			got.Content = append(got.Content, "changed"...)
		}
	}
}
