package parse

import (
	"strings"
	"testing"
)

// Each case is a Content-Disposition or Content-Type value and the file
// name Python's email package (policy.default, get_filename) reads in it.
func TestRFC2231CharsetsAsPython(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`attachment; filename*=ISO-8859-1''Eelanal%FC%FCsi%20p%E4ring.jpg`, "Eelanalüüsi päring.jpg"},
		{`attachment; filename*="iso-8859-1''HasenundFr%F6sche.txt"`, "HasenundFrösche.txt"},
		{`attachment; filename*=windows-1252'de'%80uro.pdf`, "€uro.pdf"},
		// Continuations: encoded and plain ones, in any order.
		{`attachment; filename*1=sche.txt; filename*0*=iso-8859-1''Fr%F6`, "Frösche.txt"},
		{`attachment; filename*0*=iso-8859-1''Fr%F6; filename*1*=sche%20%E4.txt`, "Frösche ä.txt"},
		// A multi-byte character split across two continuations.
		{`attachment; filename*0*=shift_jis''%82; filename*1*=%A0.txt`, "あ.txt"},
		// What Go reads itself is left to it.
		{`attachment; filename*=utf-8''Fr%C3%B6sche.txt`, "Frösche.txt"},
		{`attachment; filename*0*=utf-8''Fr%C3%B6; filename*1=sche.txt`, "Frösche.txt"},
		{`attachment; filename="a;b'c*.txt"`, "a;b'c*.txt"},
		{`attachment; filename=plain.txt; x*=iso-8859-1''%E4`, "plain.txt"},
		{`application/octet-stream; name*=iso-8859-1'de'Stra%DFe.doc`, "Straße.doc"},
	} {
		_, params, _, err := parseMediaType(tt.in)
		got := params["filename"]
		if got == "" {
			got = params["name"]
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: file name %q (%v), want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzUTF8Params: any value is translated without a panic, the
// translation is done once for all (a second one changes nothing), and a
// value with nothing to translate is left as it is.
func FuzzUTF8Params(f *testing.F) {
	f.Add(`attachment; filename*="iso-8859-1''HasenundFr%F6sche.txt"`)
	f.Add(`attachment; filename*1=sche.txt; filename*0*=iso-8859-1''Fr%F6`)
	f.Add(`attachment; filename*0*=shift_jis''%82; filename*1*=%A0.txt`)
	f.Add(`text/plain; charset=utf-8`)
	f.Add(`attachment; filename="a;b'c*.txt"`)
	f.Fuzz(func(t *testing.T, v string) {
		once := utf8Params(v)
		if twice := utf8Params(once); twice != once {
			t.Errorf("%q: %q, then %q", v, once, twice)
		}
		if !strings.Contains(v, "*") && once != v {
			t.Errorf("%q changed to %q", v, once)
		}
	})
}
