package encword

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Each case is a header value and what Python 3.11's email package
// (policy.default) gives for it.
func TestDecodeAsPython(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"RFC 2231 language suffix", "=?iso-8859-2*sl?Q?Pozdrav_=E8lovek?=", "Pozdrav človek"},
		{"language suffix on utf-8", "=?utf-8*en?q?caf=C3=A9?=", "café"},
		{"charset NONE", "=?NONE?Q?hello_world?=", "hello world"},
		{"charset NONE, 8-bit byte", "=?NONE?Q?caf=E9?=", "caf\uFFFD"},
		{"unknown charset", "=?x-unknown?q?caf=E9?=", "caf\uFFFD"},
		{"unknown charset, ASCII", "=?x-unknown?q?Ann?= test", "Ann test"},
		{"us-ascii with an 8-bit byte", "=?us-ascii?q?caf=E9?=", "caf\uFFFD"},
		{"invalid utf-8 in a word", "=?utf-8?q?caf=E9?=", "caf\uFFFD"},
		{"stray raw byte outside", "caf\xe9 ol\xc3\xa9", "caf\uFFFD olé"},
		{"stray raw bytes after a word", "=?utf-8?q?caf=C3=A9?= \xe9t\xe9", "café \uFFFDt\uFFFD"},
		{"stray raw byte inside a word", "=?utf-8?q?a\xe9b?=", "a\uFFFDb"},
		{"base64 without padding", "=?utf-8?b?Y2Fmw6k?=", "café"},
		{"two words, space dropped", "=?utf-8?b?Y2Fmw6k=?= =?utf-8?q?_x?=", "café x"},
		{"word between text", "a =?utf-8?q?b?= c", "a b c"},
		{"text glued after a word", "=?utf-8?q?b?=c", "bc"},
		{"text glued before a word", "x=?utf-8?q?b?=", "xb"},
		{"windows-1252", "=?windows-1252?q?=80?=", "€"},
		{"gb2312", "=?gb2312?b?xOO6ww==?=", "你好"},
		{"iso-2022-jp", "=?iso-2022-jp?b?GyRCJCIbKEI=?=", "あ"},
		{"ks_c_5601-1987", "=?ks_c_5601-1987?b?vsiz58fPvLy/5A==?=", "안녕하세요"},
		// Outlook 2000's UTF-7 words (stalwart-mail-parser legacy/001.eml).
		{"utf-7 in Q", "=?utf-7?Q?Die_Hasen_und_die_Fr+APY-sche_=28Microsoft_Outlook_00=29?=", "Die Hasen und die Frösche (Microsoft Outlook 00)"},
		{"utf-7 in B, upper case", "=?UTF-7?B?SitBUHctcmdlbg==?=", "Jürgen"},
		{"utf-7 plus sign", "=?utf-7?Q?1_+-_1?=", "1 + 1"},
		{"folded words", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},
		{"several spaces between words", "=?utf-8?q?a_b?=   =?utf-8?q?c?=", "a bc"},
		{"character split across words", "=?UTF-8?Q?=E2=82?= =?UTF-8?Q?=AC?=", "€"},
		{"words without space", "=?iso-8859-1?q?a?==?iso-8859-1?q?b?=", "ab"},
		{"unknown encoding kept", "=?utf-8?x?b?=", "=?utf-8?x?b?="},
		{"base64 that is not", "=?utf-8?b?!!!?=", ""},
		{"no encoded word", "plain subject", "plain subject"},
	}
	for _, c := range cases {
		if got := Decode(c.in); got != c.want {
			t.Errorf("%s: Decode(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("=?iso-8859-2*sl?Q?Pozdrav_=E8lovek?= =?utf-8?b?Y2Fmw6k?=")
	f.Fuzz(func(t *testing.T, s string) {
		out := Decode(s)
		if len(out) > 4*len(s)+16 {
			t.Fatalf("%q decoded to %d bytes", s, len(out))
		}
		// Legacy text is valid UTF-8 once read, and valid UTF-8 input
		// reads as Decode reads it.
		for _, legacy := range []string{"windows-1252", "shift_jis"} {
			in := DecodeIn(s, legacy)
			if !utf8.ValidString(in) || len(in) > 4*len(s)+16 {
				t.Fatalf("DecodeIn(%q, %s) = %q", s, legacy, in)
			}
			if utf8.ValidString(s) && in != out {
				t.Fatalf("DecodeIn(%q, %s) = %q, Decode %q", s, legacy, in, out)
			}
		}
		// Any text a sender encodes, in two words split anywhere (inside
		// a character too) and folded or not, decodes back to itself.
		if !utf8.ValidString(s) {
			return
		}
		k := len(s) / 2
		for _, sep := range []string{" ", "\r\n ", ""} {
			b := "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s[:k])) + "?=" + sep +
				"=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s[k:])) + "?="
			q := "=?utf-8?Q?" + encodeQ(s[:k]) + "?=" + sep + "=?UTF-8?q?" + encodeQ(s[k:]) + "?="
			for _, enc := range []string{b, q} {
				if got := Decode(enc); got != s {
					t.Fatalf("Decode(%q) = %q, want %q", enc, got, s)
				}
			}
		}
	})
}

// encodeQ writes every byte of s as "=XX", as a sender may.
func encodeQ(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "=%02X", s[i])
	}
	return b.String()
}

// TestDecodeInLegacyCharset: raw 8-bit text that is not UTF-8 is read in
// the legacy charset given; valid UTF-8 and encoded words are read as
// Decode reads them.
func TestDecodeInLegacyCharset(t *testing.T) {
	for _, c := range []struct{ name, in, legacy, want string }{
		{"latin-1 subject", "Die Hasen und die Fr\xf6sche", "windows-1252", "Die Hasen und die Frösche"},
		{"windows-1252 euro", "\x80 100", "windows-1252", "€ 100"},
		{"iso-8859-2, not 1252", "\xb1", "iso-8859-2", "ą"},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет"},
		{"shift_jis", "\x82\xa0", "shift_jis", "あ"},
		{"utf-8 kept", "Fr\xc3\xb6sche", "windows-1252", "Frösche"},
		{"around an encoded word", "Fr\xf6sche =?utf-8?q?und_Hasen?= gr\xfcn", "windows-1252", "Frösche und Hasen grün"},
		{"a word names its own charset", "=?utf-8?q?a\xe9b?=", "windows-1252", "a\uFFFDb"},
		{"without legacy: U+FFFD", "Fr\xf6sche", "", "Fr\uFFFDsche"},
	} {
		if got := DecodeIn(c.in, c.legacy); got != c.want {
			t.Errorf("%s: DecodeIn(%q, %q) = %q, want %q", c.name, c.in, c.legacy, got, c.want)
		}
	}
}

func TestLegacyCharset(t *testing.T) {
	for _, c := range []struct{ declared, want string }{
		{"", "windows-1252"},
		{"iso-8859-1", "windows-1252"}, // WHATWG's reading, and GMime's
		{"ISO-8859-2", "iso-8859-2"},
		{"koi8-r", "koi8-r"},
		{"Shift_JIS", "shift_jis"},
		{"gb2312", "gbk"},
		// These cannot hold 8-bit text that is not UTF-8.
		{"utf-8", "windows-1252"},
		{"us-ascii", "windows-1252"},
		{"utf-16le", "windows-1252"},
		{"utf-7", "windows-1252"},
		{"iso-2022-jp", "windows-1252"},
		{"x-no-such-charset", "windows-1252"},
	} {
		if got := LegacyCharset(c.declared); got != c.want {
			t.Errorf("LegacyCharset(%q) = %q, want %q", c.declared, got, c.want)
		}
	}
}
