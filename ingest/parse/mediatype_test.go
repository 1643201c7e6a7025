package parse

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// TestParseMediaTypeMatchesEnmime checks that a remembered media type is
// enmime's, the first time and the times after, and that a caller
// changing its parameters changes nothing for the next one.
func TestParseMediaTypeMatchesEnmime(t *testing.T) {
	values := []string{
		"text/plain; charset=utf-8",
		`text/plain; charset="UTF-8"; format=flowed`,
		"multipart/mixed; boundary=\"b1\"",
		"inline",
		`attachment; filename="=?utf-8?q?r=C3=A9sum=C3=A9.pdf?="`,
		"text/html; charset=iso-8859-1;",
		"text/plain; charset=us-ascii; name=\"a;b.txt\"",
		"image/jpeg; name=photo.jpg; x-unix-mode=0644",
		"text/plain;; charset=utf-8",
		"text/plain; charset=\"utf-8",
		"application/octet-stream; name=file name.bin",
		"multipart/alternative;boundary=----=_Part_1",
		"",
		";",
		"/",
		"text/",
		"text/plain; =x",
		"TEXT/PLAIN; CHARSET=UTF-8",
		"text/plain <br>",
	}
	for _, v := range values {
		wantType, wantParams, wantInvalid, wantErr := mediatype.Parse(v)
		for round := range 3 {
			gotType, gotParams, gotInvalid, gotErr := parseMediaType(v)
			if gotType != wantType || !reflect.DeepEqual(gotParams, wantParams) || !reflect.DeepEqual(gotInvalid, wantInvalid) ||
				fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("%q, round %d: %q %v %v %v, want %q %v %v %v", v, round,
					gotType, gotParams, gotInvalid, gotErr, wantType, wantParams, wantInvalid, wantErr)
			}
			// What a caller does with its copy is its own.
			if gotParams != nil {
				gotParams["charset"] = "changed"
			}
			if len(gotInvalid) > 0 {
				gotInvalid[0] = "changed"
			}
		}
	}
}

// TestParseMediaTypeBounded checks that the cache does not grow past its
// bound however many distinct values it sees.
func TestParseMediaTypeBounded(t *testing.T) {
	for i := range 3 * maxCachedMediaTypes {
		parseMediaType(fmt.Sprintf("multipart/mixed; boundary=b%d", i))
	}
	n := mediaTypes.len()
	if n > maxCachedMediaTypes {
		t.Errorf("%d values remembered, bound %d", n, maxCachedMediaTypes)
	}
	long := "text/plain; name=" + string(make([]byte, maxCachedMediaType))
	parseMediaType(long)
	_, kept := mediaTypes.get(long)
	if kept {
		t.Errorf("a value of %d bytes was remembered", len(long))
	}
}
