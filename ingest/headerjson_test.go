package ingest

import (
	"bytes"
	"encoding/json"
	"net/textproto"
	"testing"
)

var headerJSONCases = []textproto.MIMEHeader{
	nil,
	{},
	{"Subject": {"Hello"}, "From": {"Ann <ann@acme.example>"}, "Received": {"a", "b"}},
	{"X-Html": {`<script>alert("x") & 'y'</script>`}, "X-Ctl": {"\x00\x01\b\f\n\r\t\x1f\x7f"}},
	{"X-Sep": {"a\u2028b\u2029c"}, "X-Bad": {"\xff\xfe\xc3", "caf\xc3\xa9 \xe2\x82"}, "X-Nil": nil, "X-Empty": {}},
	{"B": {""}, "a": {"\\"}, "A": {"日本語"}, "\xff": {"k"}, "Z<": {"\x80"}},
}

func checkHeaderJSON(t *testing.T, h textproto.MIMEHeader) {
	t.Helper()
	want, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if got := headerJSON(h); !bytes.Equal(got, want) {
		t.Fatalf("headerJSON(%q) = %s, json.Marshal %s", h, got, want)
	}
}

func TestHeaderJSONMatchesMarshal(t *testing.T) {
	for _, h := range headerJSONCases {
		checkHeaderJSON(t, h)
	}
}

func FuzzHeaderJSON(f *testing.F) {
	f.Add("Subject", "Hello <b> & \u2028", "X", "\xff\x00")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		checkHeaderJSON(t, textproto.MIMEHeader{k1: {v1, v2}, k2: {v2}})
	})
}

func benchHeader() textproto.MIMEHeader {
	return textproto.MIMEHeader{
		"Received":     {"from mail.example.org (mail.example.org [192.0.2.1]) by mx.acme.example with ESMTPS id 4Xy; Mon, 30 Nov 2026 04:00:00 +0000", "from [10.0.0.1] by mail.example.org; Mon, 30 Nov 2026 03:59:59 +0000"},
		"From":         {"Jennifer Thomas <charles.martinez283@corp.example.de>"},
		"To":           {"Priya Thomas <betty.moore477@example.com>, Ahmed Jackson <hiroshi.harris359@example.org>"},
		"Subject":      {"Re: Angebot für 200 Widgets – Grüße"},
		"Date":         {"Mon, 30 Nov 2026 04:00:00 +0100"},
		"Message-Id":   {"<20261130040000.12345@corp.example.de>"},
		"Mime-Version": {"1.0"},
		"Content-Type": {`multipart/alternative; boundary="b1_abc"`},
	}
}

func BenchmarkHeaderJSON(b *testing.B) {
	h := benchHeader()
	b.ReportAllocs()
	for b.Loop() {
		headerJSON(h)
	}
}

// BenchmarkHeaderJSONMarshal is the baseline: json.Marshal.
func BenchmarkHeaderJSONMarshal(b *testing.B) {
	h := benchHeader()
	b.ReportAllocs()
	for b.Loop() {
		json.Marshal(h)
	}
}
